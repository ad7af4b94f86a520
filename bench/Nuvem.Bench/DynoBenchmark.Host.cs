using System.Diagnostics;
using System.Text;

namespace Nuvem.Bench;

/// <summary>The dyno benchmark's look at the host: processes' memory, cgroups, idle CPU, and what dynos leave behind.</summary>
internal static partial class DynoBenchmark
{
    // ---- the host -------------------------------------------------------------------------------------------

    private readonly record struct Usage(long RssKb, long PssKb)
    {
        public static Usage operator +(Usage a, Usage b) => new(a.RssKb + b.RssKb, a.PssKb + b.PssKb);
    }

    /// <summary>For each container dyno: its conmon (conmon.pid), its init tini (the runtime's pidfile) and the
    /// processes below tini (the app: the launcher shell and python).</summary>
    private static List<DynoMemory> Sample(string dataDir)
    {
        var bundles = Path.Combine(dataDir, "dynos", "bundles");
        var children = Directory.EnumerateDirectories("/proc").Select(d => Path.GetFileName(d))
            .Where(n => n.All(char.IsAsciiDigit)).Select(int.Parse)
            .Select(pid => (Pid: pid, Parent: ParentOf(pid))).Where(p => p.Parent > 0)
            .ToLookup(p => p.Parent, p => p.Pid);
        var result = new List<DynoMemory>();
        foreach (var bundle in Directory.Exists(bundles) ? Directory.EnumerateDirectories(bundles) : [])
        {
            if (ReadPid(Path.Combine(bundle, "conmon.pid")) is not { } conmon || ReadPid(Path.Combine(bundle, "pidfile")) is not { } tini) continue;
            var app = new List<int>();
            var queue = new Queue<int>(children[tini]);
            while (queue.TryDequeue(out var pid))
            {
                app.Add(pid);
                foreach (var child in children[pid]) queue.Enqueue(child);
            }
            if (app.Count == 0) continue;
            var (cgroup, kernel) = CgroupOf(Path.GetFileName(bundle));
            result.Add(new DynoMemory(Rollup(conmon), Rollup(tini), app.Select(Rollup).Aggregate((a, b) => a + b), app.Count, cgroup, kernel));
        }
        return result;
    }

    /// <summary>The dyno's memory cgroup (below the runtime's nuvem-dynos parent), cgroup v1 or v2, in kB.</summary>
    private static (long Unreclaimable, long Kernel) CgroupOf(string id)
    {
        static Dictionary<string, long> Stat(string path) => File.Exists(path)
            ? File.ReadLines(path).Select(l => l.Split(' ')).Where(f => f.Length == 2 && long.TryParse(f[1], out _)).ToDictionary(f => f[0], f => long.Parse(f[1]))
            : [];
        try
        {
            var v1 = "/sys/fs/cgroup/memory/nuvem-dynos/" + id;
            if (Directory.Exists(v1))
            {
                var stat = Stat(Path.Combine(v1, "memory.stat"));
                var kmem = File.Exists(Path.Combine(v1, "memory.kmem.usage_in_bytes")) ? long.Parse(File.ReadAllText(Path.Combine(v1, "memory.kmem.usage_in_bytes")).Trim()) : 0;
                return ((stat.GetValueOrDefault("total_rss") + stat.GetValueOrDefault("total_shmem")) / 1024, kmem / 1024);
            }
            var v2 = Stat("/sys/fs/cgroup/nuvem-dynos/" + id + "/memory.stat");
            return ((v2.GetValueOrDefault("anon") + v2.GetValueOrDefault("shmem")) / 1024, v2.GetValueOrDefault("kernel") / 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return (0, 0); }
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'.
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return 0; }
    }

    private static Usage Rollup(int pid)
    {
        long Field(string[] lines, string name) =>
            lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal)) is { } line ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) : 0;
        try
        {
            var lines = File.ReadAllLines($"/proc/{pid}/smaps_rollup");
            return new Usage(Field(lines, "Rss"), Field(lines, "Pss"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return default; }
    }

    private static long RssKb(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).FirstOrDefault();
        }
        catch (IOException) { return 0; }
    }

    /// <summary>nuvemd's CPU use over 3 s with nothing asked of it, in % of one core: what watching its dynos costs
    /// (each container's log, exit file and memory are polled).</summary>
    private static async Task<double> IdleCpuAsync(int pid)
    {
        static long Ticks(int pid)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11]) + long.Parse(fields[12]); // utime and stime, fields 14 and 15 of stat
        }
        var before = Ticks(pid);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        // Clock ticks are 1/100 s on Linux (USER_HZ).
        return (Ticks(pid) - before) / 100.0 / clock.Elapsed.TotalSeconds * 100;
    }

    private static int MemAvailableMb() =>
        (int)(File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).First() / 1024);

    private static int? ReadPid(string path)
    {
        try { return int.TryParse(File.ReadAllText(path).Trim(), out var pid) ? pid : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Anything of the container platform still on the host: a process naming its data directory or a dyno
    /// (conmon), a dyno's cgroup (holding tini and the app), its bridge, a dyno's or a spare network namespace, a mount below
    /// its data directory.</summary>
    private static List<string> Leftovers(string bridge, string dataDir, HashSet<string> dynoIds)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            try
            {
                var command = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (command.Contains(dataDir) || dynoIds.Any(id => command.Contains(id))) found.Add($"process {Path.GetFileName(dir)}: {command}");
            }
            catch (IOException) { }
        }
        foreach (var id in dynoIds)
            foreach (var cgroup in new[] { "/sys/fs/cgroup/memory/nuvem-dynos/" + id, "/sys/fs/cgroup/nuvem-dynos/" + id }.Where(Directory.Exists))
                found.Add($"cgroup {cgroup}");
        if (Directory.Exists("/sys/class/net/" + bridge)) found.Add("bridge " + bridge);
        if (Directory.Exists("/var/run/netns"))
            found.AddRange(Directory.EnumerateFileSystemEntries("/var/run/netns")
                .Where(n => dynoIds.Any(id => n.EndsWith(id, StringComparison.Ordinal)) || Path.GetFileName(n).StartsWith($"nuvem-spare-{bridge}-", StringComparison.Ordinal))
                .Select(n => "netns " + n));
        found.AddRange(File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(dataDir, StringComparison.Ordinal)).Select(m => "mount " + m));
        return found;
    }
}
