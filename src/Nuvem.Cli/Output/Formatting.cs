using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nuvem.Cli.Output;

/// <summary>Small text helpers shared by commands.</summary>
public static class Formatting
{
    /// <summary>"A", "A and B", "A, B and C" — how Heroku lists config keys in progress messages.</summary>
    public static string HumanList(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };

    /// <summary>Repo/slug sizes: null means "nothing built yet".</summary>
    public static string Bytes(JsonNode? value) =>
        value is null || value.GetValueKind() != JsonValueKind.Number ? "none" : Bytes(value.GetValue<double>());

    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        var unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return unit == 0
            ? $"{bytes.ToString("0", CultureInfo.InvariantCulture)} B"
            : $"{bytes.ToString("0.0", CultureInfo.InvariantCulture)} {units[unit]}";
    }

    /// <summary>"3 minutes ago" for people at a terminal; the raw timestamp otherwise (stable for scripts).</summary>
    public static string When(string? timestamp, bool relative)
    {
        if (string.IsNullOrEmpty(timestamp)) return "";
        if (!relative || !DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return timestamp;
        var age = DateTimeOffset.UtcNow - at;
        return age.TotalSeconds switch
        {
            < 0 => at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            < 60 => "just now",
            < 3600 => Plural((int)age.TotalMinutes, "minute") + " ago",
            < 86400 => Plural((int)age.TotalHours, "hour") + " ago",
            < 86400 * 30 => Plural((int)age.TotalDays, "day") + " ago",
            _ => at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
