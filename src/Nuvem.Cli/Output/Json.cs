using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nuvem.Cli.Output;

/// <summary>
/// Tolerant readers for API JSON. The CLI only promises to print what the server sends, so a missing or
/// differently-typed field shows as empty instead of crashing the command.
/// </summary>
public static class Json
{
    public static string Text(JsonNode? node, params string[] path)
    {
        var value = At(node, path);
        if (value is null) return "";
        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.ToJsonString(),
            _ => "",
        };
    }

    public static bool Flag(JsonNode? node, params string[] path) =>
        At(node, path) is { } value && value.GetValueKind() == JsonValueKind.True;

    public static JsonNode? At(JsonNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not JsonObject obj) return null;
            node = obj[key];
        }
        return node;
    }

    public static IEnumerable<JsonObject> Objects(JsonArray array) => array.OfType<JsonObject>();
}
