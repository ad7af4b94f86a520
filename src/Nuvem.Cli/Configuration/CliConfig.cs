using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nuvem.Cli.Configuration;

/// <summary>
/// The CLI's own settings file (<c>$XDG_CONFIG_HOME/nuvem/config.json</c>, default <c>~/.config/nuvem/config.json</c>).
/// It only remembers where the server is (<c>host</c>) and which CA signs its certificate (<c>ca_file</c>); secrets
/// live in ~/.netrc like Heroku's, so the two files can have different permissions and lifetimes.
/// Unknown keys are kept on save so a newer CLI's settings survive an older one.
/// </summary>
public sealed class CliConfig
{
    private readonly JsonObject document;

    private CliConfig(string path, JsonObject document)
    {
        Path = path;
        this.document = document;
    }

    public string Path { get; }

    public string? Host
    {
        get => ReadString("host");
        set => WriteString("host", value);
    }

    public string? CaFile
    {
        get => ReadString("ca_file");
        set => WriteString("ca_file", value);
    }

    public static string DefaultPath()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        var root = string.IsNullOrEmpty(xdg) ? System.IO.Path.Combine(HomeDirectory.Path, ".config") : xdg;
        return System.IO.Path.Combine(root, "nuvem", "config.json");
    }

    public static CliConfig Load() => Load(DefaultPath());

    public static CliConfig Load(string path)
    {
        if (!File.Exists(path)) return new CliConfig(path, new JsonObject());
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path));
            return new CliConfig(path, node as JsonObject ?? new JsonObject());
        }
        catch (JsonException e)
        {
            throw new CliException($"Could not read {path}: {e.Message}");
        }
    }

    public void Save()
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(directory))
        {
            // 0700: the config names the server and CA; no need to show that to other local users.
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
            else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var json = document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path, json + Environment.NewLine);
    }

    private string? ReadString(string key) =>
        document[key] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private void WriteString(string key, string? value)
    {
        if (value is null) document.Remove(key);
        else document[key] = value;
    }
}
