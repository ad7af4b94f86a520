using Nuvem.Platform.Builds.Runtime;
using YamlDotNet.RepresentationModel;

namespace Nuvem.Platform.Builds;

/// <summary>
/// A slug's process types: the buildpacks' <c>default_process_types</c> (from bin/release), then the app's Procfile
/// over them, type by type.
/// </summary>
public static class ProcessTypes
{
    /// <summary>Reads <c>default_process_types</c> from a buildpack's bin/release YAML.</summary>
    /// <exception cref="BuildFailedException">The YAML is not YAML.</exception>
    public static Dictionary<string, string> DefaultsFromRelease(string yaml, string buildpack)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(yaml)) return types;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return types;
            if (root.Children.TryGetValue(new YamlScalarNode("default_process_types"), out var node) && node is YamlMappingNode mapping)
            {
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: { } type } && value is YamlScalarNode { Value: { } command }) types[type] = command;
                }
            }
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new BuildFailedException($"bin/release of {buildpack} printed invalid YAML: {e.Message}");
        }
        return types;
    }

    /// <summary>The buildpacks' defaults with the Procfile's types over them.</summary>
    /// <param name="procfile">The app's Procfile, or null when it has none.</param>
    /// <returns>The types, and the types the Procfile declared (null without a Procfile).</returns>
    /// <exception cref="BuildFailedException">The Procfile is malformed (the message has its line).</exception>
    public static (Dictionary<string, string> Types, IReadOnlyDictionary<string, string>? Declared) Merge(
        IReadOnlyDictionary<string, string> defaults, string? procfile)
    {
        var types = new Dictionary<string, string>(defaults, StringComparer.Ordinal);
        if (procfile is null) return (types, null);
        IReadOnlyDictionary<string, string> declared;
        try { declared = Procfile.Parse(procfile); }
        catch (ProcfileException e) { throw new BuildFailedException(e.Message); }
        foreach (var (type, command) in declared) types[type] = command;
        return (types, declared);
    }

    /// <summary>Reads the built app's Procfile in the build dyno and says what types the slug gets.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> DiscoverAsync(IBuildDyno dyno, IReadOnlyDictionary<string, string> environment,
        IReadOnlyDictionary<string, string> defaults, Func<string, Task> say, CancellationToken cancellation)
    {
        await say("-----> Discovering process types");
        var procfile = await dyno.ReadAppFileAsync(environment, "Procfile", cancellation);
        var (types, declared) = Merge(defaults, procfile);
        if (declared is not null)
            await say($"       Procfile declares types -> {(declared.Count == 0 ? "(none)" : string.Join(", ", declared.Keys))}");
        if (defaults.Count > 0) await say($"       Default types for buildpack -> {string.Join(", ", defaults.Keys)}");
        if (types.Count == 0) await say(" !     No process types are declared: add a Procfile to run something.");
        return types;
    }
}
