using System.Text.Json;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Config;

/// <summary>Reading config-var maps (<c>{"KEY":"value"}</c>) and printing them the ways Heroku does.</summary>
public static class ConfigVars
{
    public static string Path(string app) => $"/apps/{PlatformClient.Segment(app)}/config-vars";

    /// <summary>Key → value, sorted by key; non-string values keep their JSON text, null becomes empty.</summary>
    public static SortedDictionary<string, string> Read(JsonNode? node)
    {
        var vars = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (node is not JsonObject obj) return vars;
        foreach (var (key, value) in obj) vars[key] = ValueText(value);
        return vars;
    }

    public static string ValueText(JsonNode? value) => value switch
    {
        null => "",
        _ when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => value.ToJsonString(),
    };

    /// <summary><c>KEY='value'</c>, safe to paste into a POSIX shell or source from a file.</summary>
    public static string ShellLine(string key, string value) => $"{key}='{value.Replace("'", "'\\''")}'";

    public static void WriteAligned(Terminal terminal, IEnumerable<KeyValuePair<string, string>> vars)
    {
        var list = new KeyValueList();
        foreach (var (key, value) in vars) list.Add(key, value, "green");
        list.WriteTo(terminal);
    }
}
