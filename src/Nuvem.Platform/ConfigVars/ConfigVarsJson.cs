using System.Text.Json;

namespace Nuvem.Platform.ConfigVars;

/// <summary>Config vars are stored as a JSON object of strings, sorted by key so equal sets store equally.</summary>
public static class ConfigVarsJson
{
    public static string Serialize(IReadOnlyDictionary<string, string> vars) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(vars.ToDictionary(), StringComparer.Ordinal));

    public static IReadOnlyDictionary<string, string> Deserialize(string json) =>
        JsonSerializer.Deserialize<SortedDictionary<string, string>>(json) is { } vars
            ? new SortedDictionary<string, string>(vars, StringComparer.Ordinal)
            : new SortedDictionary<string, string>(StringComparer.Ordinal);
}
