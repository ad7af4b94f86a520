using Nuvem.Platform.Builds.Runtime;

namespace Nuvem.Platform.Builds.Buildpacks;

/// <summary>
/// Which buildpacks build an app, decided in its build dyno: the app's own list (each must detect, when it has a
/// bin/detect), or else the first built-in whose bin/detect applies.
/// </summary>
public sealed class BuildpackSelection(BuildpackCatalog catalog)
{
    /// <param name="configured">The app's buildpacks, already checked by <see cref="BuildpackCatalog.Choose"/>; null: detect.</param>
    /// <returns>The buildpacks in order, each with the name its bin/detect gave the app (e.g. "Node.js").</returns>
    public async Task<IReadOnlyList<(Buildpack Buildpack, string Detected)>> SelectAsync(IReadOnlyList<BuildpackChoice>? configured,
        IBuildDyno dyno, IReadOnlyDictionary<string, string> environment, Func<string, Task> say, CancellationToken cancellation)
    {
        if (configured is null)
        {
            foreach (var choice in catalog.BuiltIns)
            {
                var candidate = await catalog.ResolveAsync(choice, dyno, environment, say, cancellation);
                var detect = await DetectAsync(dyno, candidate, environment, cancellation);
                if (detect.ExitCode != 0) continue;
                var detected = BuildSteps.FirstLine(detect.Stdout, candidate.Name);
                await say($"-----> {detected} app detected");
                return [(candidate, detected)];
            }
            throw new BuildFailedException(NothingDetected(catalog.BuiltIns.Select(b => b.Name)));
        }

        var selected = new List<(Buildpack, string)>();
        foreach (var choice in configured)
        {
            var buildpack = await catalog.ResolveAsync(choice, dyno, environment, say, cancellation);
            var detected = buildpack.Name;
            if (buildpack.HasDetect)
            {
                var detect = await DetectAsync(dyno, buildpack, environment, cancellation);
                if (detect.ExitCode != 0) throw new BuildFailedException($"Buildpack {choice.Url} does not apply to this app (bin/detect exited {detect.ExitCode}).");
                detected = BuildSteps.FirstLine(detect.Stdout, buildpack.Name);
                await say($"-----> {detected} app detected");
            }
            selected.Add((buildpack, detected));
        }
        return selected;
    }

    /// <summary>
    /// bin/detect: 0 applies, another status does not — except a detect that could not run at all (not executable, an
    /// interpreter missing, killed): that is the platform's or the buildpack's problem, said as such, not "no language".
    /// </summary>
    private static async Task<BuildStepResult> DetectAsync(IBuildDyno dyno, Buildpack buildpack, IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellation)
    {
        var detect = await dyno.RunAsync(new BuildStep([buildpack.Detect, dyno.Paths.App], environment, TimeSpan.FromMinutes(1)), cancellation);
        if (detect.TimedOut) throw new BuildFailedException($"bin/detect of {buildpack.Name} did not finish within a minute.");
        var why = detect.ExitCode switch
        {
            126 => "not executable, or permission denied",
            127 => "it or its interpreter was not found",
            > 128 => $"killed by signal {detect.ExitCode - 128}",
            _ => null,
        };
        if (why is not null) throw new BuildFailedException($"bin/detect of {buildpack.Name} could not run (exit {detect.ExitCode}: {why}){BuildSteps.Said(detect)}.");
        return detect;
    }

    /// <summary>Why a push was rejected when no built-in buildpack detected the app: what each one looks for.</summary>
    public static string NothingDetected(IEnumerable<string> builtIns) =>
        $"No default language could be detected for this app. Looked for: {string.Join(", ", builtIns.Select(b => $"{b} ({DetectHint(b)})"))}. " +
        "Set a buildpack with `nuvem buildpacks:set URL`.";

    private static string DetectHint(string builtIn) => builtIn switch
    {
        "nodejs" => "package.json",
        "python" => "requirements.txt / pyproject.toml / setup.py",
        "dotnet" => "*.csproj / *.fsproj / *.sln",
        "procfile" => "a Procfile",
        _ => builtIn,
    };
}
