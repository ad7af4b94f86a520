using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Releases;
using Nuvem.Platform.State;

namespace Nuvem.Platform.ConfigVars;

/// <summary>An app's config vars. Every change is a new release, so it is recorded, visible and can be rolled back.</summary>
public sealed partial class ConfigVarService(Database database, PlatformSettings settings, ReleaseService releases)
{
    public const int MaxKeyLength = 256;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex KeyShape();

    public IReadOnlyDictionary<string, string> Get(App app) =>
        ConfigVarsJson.Deserialize(database.Read(c => c.ExecuteScalar<string>("SELECT config_vars FROM apps WHERE id = @Id", new { app.Id })) ?? "{}");

    /// <summary>Sets the given keys; a null value removes the key. Checks everything before changing anything.</summary>
    /// <returns>The config vars after the change, and the release it made (null when nothing changed).</returns>
    public (IReadOnlyDictionary<string, string> Vars, Release? Release) Patch(App app, string userId, IReadOnlyDictionary<string, string?> changes)
    {
        foreach (var key in changes.Keys) ValidateKey(key);
        foreach (var (key, value) in changes)
        {
            if (value is not null && value.Contains('\0')) throw PlatformException.Invalid($"The value of {key} must not contain a NUL character.");
        }

        string? releaseId = null;
        var result = database.Write((c, t) =>
        {
            var current = new SortedDictionary<string, string>(
                ConfigVarsJson.Deserialize(c.ExecuteScalar<string>("SELECT config_vars FROM apps WHERE id = @Id", new { app.Id }, t)!).ToDictionary(),
                StringComparer.Ordinal);
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

            if (set.Count == 0 && removed.Count == 0) return current;
            var json = ConfigVarsJson.Serialize(current);
            c.Execute("UPDATE apps SET config_vars = @json, updated_at = @now WHERE id = @Id", new { json, now = Timestamp.Now(), app.Id }, t);
            releaseId = ReleaseService.Append(c, t, app.Id, Describe(set, removed), userId, slugId: null, json);
            return current;
        });
        if (releaseId is null) return (result, null);
        return (result, releases.Announced(releases.Find(app, releaseId)));
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
