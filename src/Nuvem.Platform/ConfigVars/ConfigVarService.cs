using System.Data;
using System.Text;
using System.Text.RegularExpressions;
using Nuvem.Platform.Apps;
using Nuvem.Platform.State;

namespace Nuvem.Platform.ConfigVars;

/// <summary>An app's config vars and the rules for changing them. Every change is a new release, so it is recorded,
/// visible and can be rolled back: the SetConfigVars operation makes it in the same transaction as the change.</summary>
public sealed partial class ConfigVarService(Database database, PlatformSettings settings)
{
    public const int MaxKeyLength = 256;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex KeyShape();

    private readonly AppStore _apps = new(database);

    public IReadOnlyDictionary<string, string> Get(App app) => ConfigVarsJson.Deserialize(_apps.ConfigVarsJson(app.Id));

    /// <summary>What a change did: the vars after it, and (when anything changed) their JSON and Heroku's description.</summary>
    public sealed record Change(IReadOnlyDictionary<string, string> Vars, string? Json, string? Description)
    {
        public bool Changed => Json is not null;
    }

    /// <summary>Checks keys and values before anything changes; throws when any is refused.</summary>
    public static void Validate(IReadOnlyDictionary<string, string?> changes)
    {
        foreach (var key in changes.Keys) ValidateKey(key);
        foreach (var (key, value) in changes)
        {
            if (value is not null && value.Contains('\0')) throw PlatformException.Invalid($"The value of {key} must not contain a NUL character.");
        }
    }

    /// <summary>Sets the given keys (a null value removes the key) inside the caller's write transaction, after checking
    /// everything; stores nothing when nothing changes.</summary>
    public Change Apply(IDbConnection c, IDbTransaction t, App app, IReadOnlyDictionary<string, string?> changes)
    {
        Validate(changes);
        var current = new SortedDictionary<string, string>(ConfigVarsJson.Deserialize(_apps.ConfigVarsJson(c, t, app.Id)).ToDictionary(), StringComparer.Ordinal);
        var set = new List<string>();
        var removed = new List<string>();
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                if (current.Remove(key)) removed.Add(key);
            }
            else if (!current.TryGetValue(key, out var old) || old != value)
            {
                current[key] = value;
                set.Add(key);
            }
        }

        var size = current.Sum(kv => Encoding.UTF8.GetByteCount(kv.Key) + Encoding.UTF8.GetByteCount(kv.Value));
        if (size > settings.ConfigVarsMaxBytes)
            throw PlatformException.Invalid(
                $"Config vars would total {size} bytes, over the limit of {settings.ConfigVarsMaxBytes} bytes ({settings.ConfigVarsMaxBytes / 1024} kB). Nothing was changed.");

        if (set.Count == 0 && removed.Count == 0) return new Change(current, null, null);
        var json = ConfigVarsJson.Serialize(current);
        _apps.SetConfigVars(c, t, app.Id, json);
        return new Change(current, json, Describe(set, removed));
    }

    /// <summary>Heroku's wording: "Set FOO, BAR config vars", "Remove FOO config vars".</summary>
    public static string Describe(IReadOnlyList<string> set, IReadOnlyList<string> removed)
    {
        var parts = new List<string>();
        if (set.Count > 0) parts.Add($"Set {string.Join(", ", set)}");
        if (removed.Count > 0) parts.Add($"{(parts.Count > 0 ? "remove" : "Remove")} {string.Join(", ", removed)}");
        return $"{string.Join(" and ", parts)} config vars";
    }

    public static void ValidateKey(string key)
    {
        if (string.IsNullOrEmpty(key)) throw PlatformException.Invalid("Config var keys must not be empty.");
        if (key.Length > MaxKeyLength) throw PlatformException.Invalid($"Config var key {key[..20]}… is longer than {MaxKeyLength} characters.");
        if (!KeyShape().IsMatch(key))
            throw PlatformException.Invalid($"Invalid config var key '{key}': use only letters, digits and underscores, not starting with a digit.");
    }
}
