using System.Text.Json;
using Nuvem.Platform.Dynos.Network;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>What the container runtime and conmon leave in a dyno's bundle directory, read back: numbers (pids, exit
/// statuses), the platform's own record of the dyno, and the last words of a failed start.</summary>
internal static class BundleFiles
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string Problem(string bundle)
    {
        var said = new[] { "conmon.log", "ctr.log" }.Select(f => Path.Combine(bundle, f)).Where(File.Exists)
            .SelectMany(File.ReadAllLines).Where(l => l.Trim().Length > 0).TakeLast(5);
        var text = string.Join(" ", said);
        return text.Length > 0 ? text : "no message";
    }

    public static bool IsMountPoint(string path) =>
        File.Exists("/proc/self/mountinfo") && File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ').ElementAtOrDefault(4) == path);

    /// <summary>A pid or exit status that conmon or the runtime wrote to a file; null when there is none (yet).</summary>
    public static int? ReadNumber(string path)
    {
        try { return int.TryParse(File.ReadAllText(path).Trim(), out var pid) ? pid : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public static Record? ReadRecord(string bundle)
    {
        try { return JsonSerializer.Deserialize<Record>(File.ReadAllText(Path.Combine(bundle, "dyno.json")), Json); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException) { return null; }
    }

    /// <summary>What a bundle says about its dyno, for the next platform process (no config vars: they stay in the database).</summary>
    public sealed record Record(DynoSpec Spec, DynoEndpoint Endpoint, bool Attached, DateTimeOffset StartedAt);
}
