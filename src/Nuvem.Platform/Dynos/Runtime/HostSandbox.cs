using System.Diagnostics;
using System.Globalization;

namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>Limits of what runs in one <see cref="Jail"/>: memory (no swap on top), CPUs and process count.</summary>
public sealed record JailLimits(int MemoryMb, double Cpus, int Pids);

/// <summary>
/// Jails for processes run straight on the host — build steps, release commands and plain-process dynos (not
/// containers): as the app's own unprivileged uid (setpriv, no new privileges) inside a cgroup that caps memory (no
/// swap), CPU and process count — cgroup v2 on standard hosts, v1 on hybrid ones. Without root or cgroups (a
/// developer's laptop) they run as the platform user, and every build says so. (It was the builds' sandbox first,
/// hence its cgroups' names and its warning's words.)
/// </summary>
public sealed class HostSandbox
{
    private enum Mode { None, V1, V2 }

    private const string Root = "/sys/fs/cgroup";
    private readonly Mode _mode;
    private readonly JailLimits _resources;

    /// <param name="resources">The limits of a jail opened without limits of its own (a build's).</param>
    public HostSandbox(JailLimits resources)
    {
        _resources = resources;
        var isRoot = Environment.UserName == "root";
        _mode = !isRoot ? Mode.None
            : File.Exists($"{Root}/cgroup.controllers") ? Mode.V2
            : File.Exists($"{Root}/memory/memory.limit_in_bytes") ? Mode.V1
            : Mode.None;
        Warning = _mode != Mode.None ? null
            : isRoot ? "No usable cgroup filesystem: builds run without memory and CPU limits."
            : "Not running as root: builds run as the platform's user, without their own uid or resource limits.";
    }

    /// <summary>Why builds are not contained, or null when they are.</summary>
    public string? Warning { get; }

    public bool ChangesUser => Environment.UserName == "root" && File.Exists("/usr/bin/setpriv");

    /// <summary>Prepares the cgroups of one build (or release command, or plain-process dyno) and the wrapper that enters them.</summary>
    /// <param name="resources">Limits other than the build's, e.g. a dyno size's.</param>
    public Jail Open(string name, int uid, JailLimits? resources = null)
    {
        var limits = resources ?? _resources;
        var groups = new List<string>();
        try
        {
            switch (_mode)
            {
                case Mode.V2:
                    EnableControllers($"{Root}", $"{Root}/nuvem", $"{Root}/nuvem/builds");
                    var v2 = $"{Root}/nuvem/builds/{name}";
                    Directory.CreateDirectory(v2);
                    groups.Add(v2);
                    Write(v2, "memory.max", Bytes(limits));
                    Write(v2, "memory.swap.max", "0", optional: true);
                    Write(v2, "cpu.max", $"{(long)(limits.Cpus * 100_000)} 100000");
                    Write(v2, "pids.max", limits.Pids.ToString(CultureInfo.InvariantCulture));
                    break;
                case Mode.V1:
                    var memory = $"{Root}/memory/nuvem/builds/{name}";
                    var cpu = $"{Root}/cpu/nuvem/builds/{name}";
                    var pids = $"{Root}/pids/nuvem/builds/{name}";
                    foreach (var group in new[] { memory, cpu, pids })
                    {
                        Directory.CreateDirectory(group);
                        groups.Add(group);
                    }
                    Write(memory, "memory.limit_in_bytes", Bytes(limits));
                    Write(memory, "memory.memsw.limit_in_bytes", Bytes(limits), optional: true); // no swap on top
                    Write(cpu, "cpu.cfs_period_us", "100000");
                    Write(cpu, "cpu.cfs_quota_us", ((long)(limits.Cpus * 100_000)).ToString(CultureInfo.InvariantCulture));
                    Write(pids, "pids.max", limits.Pids.ToString(CultureInfo.InvariantCulture));
                    break;
            }
        }
        catch
        {
            foreach (var group in groups) TryRemove(group);
            throw;
        }
        return new Jail(groups, ChangesUser ? uid : null, limits.MemoryMb, _mode == Mode.V2);
    }

    private static string Bytes(JailLimits limits) => ((long)limits.MemoryMb * 1024 * 1024).ToString(CultureInfo.InvariantCulture);

    private static void EnableControllers(params string[] levels)
    {
        foreach (var level in levels)
        {
            Directory.CreateDirectory(level);
            var available = File.ReadAllText($"{level}/cgroup.controllers").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var controller in new[] { "memory", "cpu", "pids" }.Where(available.Contains))
            {
                try { File.WriteAllText($"{level}/cgroup.subtree_control", "+" + controller); }
                catch (IOException) { } // already on, or refused for a level with processes: the limit file write will tell
            }
        }
    }

    private static void Write(string group, string file, string value, bool optional = false)
    {
        var path = Path.Combine(group, file);
        if (optional && !File.Exists(path)) return;
        try { File.WriteAllText(path, value); }
        catch (IOException) when (optional) { }
    }

    internal static void TryRemove(string group)
    {
        try
        {
            foreach (var pid in File.ReadAllLines(Path.Combine(group, "cgroup.procs")))
            {
                if (int.TryParse(pid, out var p)) { try { Process.GetProcessById(p).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { } }
            }
            Directory.Delete(group);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Gives a directory tree to a uid, so a build step can write where it must and nowhere else.</summary>
    public void GiveTo(string path, int uid)
    {
        if (!ChangesUser) return;
        using var chown = Process.Start(new ProcessStartInfo("chown", ["-R", $"{uid}:{uid}", path]) { RedirectStandardError = true })!;
        var error = chown.StandardError.ReadToEnd();
        chown.WaitForExit();
        if (chown.ExitCode != 0) throw new IOException($"chown {uid} {path} failed: {error}");
    }
}

/// <summary>One build's cgroups and user: wraps each step's command so it enters them before it runs.</summary>
public sealed class Jail(IReadOnlyList<string> groups, int? uid, int memoryMb, bool v2) : IDisposable
{
    public int MemoryMb => memoryMb;

    public (string File, IReadOnlyList<string> Args) Wrap(string file, IReadOnlyList<string> args)
    {
        if (groups.Count == 0 && uid is null) return (file, args);
        // The step joins the cgroups itself (so every process it forks is counted), then drops to the app's uid.
        var join = string.Join(" ", groups.Select(g => $"echo $$ > '{g}/cgroup.procs' &&"));
        var drop = uid is { } u ? $"exec setpriv --reuid={u} --regid={u} --clear-groups --no-new-privs --" : "exec";
        return ("/bin/sh", ["-c", $"{join} {drop} \"$@\"", "nuvem-build", file, .. args]);
    }

    /// <summary>Whether the kernel killed something of this build for going over the memory limit.</summary>
    public bool OutOfMemory()
    {
        foreach (var group in groups)
        {
            var events = Path.Combine(group, v2 ? "memory.events" : "memory.oom_control");
            if (!File.Exists(events)) continue;
            foreach (var line in File.ReadAllLines(events))
            {
                var parts = line.Split(' ');
                if (parts.Length == 2 && parts[0] == "oom_kill" && long.TryParse(parts[1], out var n) && n > 0) return true;
            }
        }
        return false;
    }

    public void Dispose()
    {
        foreach (var group in groups) HostSandbox.TryRemove(group);
    }
}
