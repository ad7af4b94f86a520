using System.Globalization;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>
/// What the kernel says about a dyno's memory cgroup (v1 on hybrid hosts, v2 elsewhere): how much it holds that
/// cannot be reclaimed (process memory and tmpfs files: there is no swap), and how often the OOM killer struck.
/// </summary>
public sealed class CgroupMemory(string cgroupsPath)
{
    private readonly string _v1 = "/sys/fs/cgroup/memory" + cgroupsPath;
    private readonly string _v2 = "/sys/fs/cgroup" + cgroupsPath;

    private bool V1 => Directory.Exists(_v1);

    /// <summary>Process memory plus tmpfs (the dyno's /app and /tmp), in bytes; null once the cgroup is gone.</summary>
    public long? Unreclaimable()
    {
        var stat = Read(V1 ? Path.Combine(_v1, "memory.stat") : Path.Combine(_v2, "memory.stat"));
        if (stat is null) return null;
        return V1 ? stat.GetValueOrDefault("total_rss") + stat.GetValueOrDefault("total_shmem")
                  : stat.GetValueOrDefault("anon") + stat.GetValueOrDefault("shmem");
    }

    /// <summary>Processes of the dyno the OOM killer has killed so far.</summary>
    public long OomKills()
    {
        var counters = Read(V1 ? Path.Combine(_v1, "memory.oom_control") : Path.Combine(_v2, "memory.events"));
        return counters?.GetValueOrDefault("oom_kill") ?? 0;
    }

    private static Dictionary<string, long>? Read(string path)
    {
        try
        {
            var values = new Dictionary<string, long>();
            foreach (var line in File.ReadLines(path))
            {
                var parts = line.Split(' ', 2);
                if (parts.Length == 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) values[parts[0]] = value;
            }
            return values;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
