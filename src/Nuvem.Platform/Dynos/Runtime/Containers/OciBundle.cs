using System.Globalization;
using System.Text.Json.Nodes;
using Nuvem.Platform.Dynos.Network;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>What every container the platform makes is: who runs in it, its network and its limits.</summary>
/// <param name="Hostname">Also its name in <c>/etc/hosts</c>.</param>
/// <param name="UserName">The app's name, shown as the uid's GECOS field.</param>
public sealed record OciContainer(string Hostname, int Uid, string UserName, string CgroupsPath, DynoEndpoint Endpoint,
    int MemoryMb, double Cpu, int Pids, int TmpDiskMb);

/// <summary>
/// Writes one dyno's OCI bundle: its <c>config.json</c> and the small files bound into its <c>/etc</c>. The dyno runs
/// as its app's uid with no capabilities and no new privileges, under <c>tini</c> (so SIGTERM reaches the app), on the
/// read-only stack root, with <c>/app</c> an overlay of the release's slug and a private writable layer, <c>/tmp</c> a
/// capped tmpfs, its own pid/ipc/uts/mount/cgroup namespaces and network, and its dyno size's limits.
/// </summary>
public static class OciBundle
{
    // What every bundle asks of the host, looked at once rather than on every start.
    private static readonly Lazy<bool> SwapAccounted =
        new(() => File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") || File.Exists("/sys/fs/cgroup/cgroup.controllers"));
    private static readonly Lazy<string[]> SharedHostDirectories =
        new(() => new[] { "/etc/ssl", "/etc/alternatives", "/etc/ca-certificates" }.Where(Directory.Exists).ToArray());
    private static readonly Lazy<long> OpenFilesLimit = new(() => HostLimit("Max open files"));

    /// <summary>A dyno: <c>/app</c> is an overlay of its release's slug layer under a private writable layer.</summary>
    /// <param name="compiledSeccomp">The dyno seccomp filter as crun compiled it for an earlier dyno (its raw BPF), for
    /// crun to load as it is instead of compiling the same profile again (<see cref="CompiledSeccompAnnotation"/>).</param>
    public static void Write(string bundle, string stackRoot, string slugLayer, string cgroupsPath, DynoSpec spec,
        DynoEndpoint endpoint, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, bool terminal = false,
        byte[]? compiledSeccomp = null)
    {
        var size = spec.Size;
        var container = new OciContainer(spec.Id, spec.Uid, spec.AppName, cgroupsPath, endpoint, size.MemoryMb, size.Cpu, size.Pids, size.TmpDiskMb);
        Write(bundle, stackRoot, container, [ContainerHost.Tini, "-g", "--", .. command], environment, terminal,
            [Mount("/app", "overlay", "overlay", $"lowerdir={slugLayer}", $"upperdir={Path.Combine(bundle, "scratch", "upper")}",
                $"workdir={Path.Combine(bundle, "scratch", "work")}", "nodev", "nosuid")],
            compiledSeccomp is null ? null : new Dictionary<string, string> { [CompiledSeccompAnnotation] = Convert.ToBase64String(compiledSeccomp) });
    }

    /// <summary>
    /// crun's annotation for a seccomp filter given as raw BPF (base64): crun then loads it instead of compiling the
    /// <c>seccomp</c> section, which stays in the bundle (runc, and crun without the annotation, use it).
    /// </summary>
    public const string CompiledSeccompAnnotation = "run.oci.seccomp_bpf_data";

    /// <summary>
    /// Any container of the platform's (a dyno, a build dyno): the app's uid with no capabilities and no new privileges,
    /// the read-only stack root with <paramref name="workMounts"/> (its <c>/app</c> and the like) on top, <c>/tmp</c> a
    /// capped tmpfs, its own pid/ipc/uts/mount/cgroup namespaces and network, the dyno seccomp filter, and its limits.
    /// </summary>
    public static void Write(string bundle, string stackRoot, OciContainer container, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> environment, bool terminal, IEnumerable<JsonObject> workMounts,
        IReadOnlyDictionary<string, string>? annotations = null)
    {
        var hostname = container.Hostname;
        var endpoint = container.Endpoint;
        File.WriteAllText(Path.Combine(bundle, "hostname"), hostname + "\n");
        File.WriteAllText(Path.Combine(bundle, "hosts"),
            $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{(endpoint.NetworkNamespace is null ? "127.0.1.1" : endpoint.Host)}\t{hostname}\n");
        File.WriteAllText(Path.Combine(bundle, "resolv.conf"), ResolvConf(endpoint));
        File.WriteAllText(Path.Combine(bundle, "passwd"),
            $"root:x:0:0:root:/root:/usr/sbin/nologin\nu{container.Uid}:x:{container.Uid}:{container.Uid}:{container.UserName}:/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        File.WriteAllText(Path.Combine(bundle, "group"), $"root:x:0:\nu{container.Uid}:x:{container.Uid}:\nnogroup:x:65534:\n");

        var memory = (long)container.MemoryMb * 1024 * 1024;
        var memoryLimits = new JsonObject { ["limit"] = memory };
        // On cgroup v1, OCI's "swap" is memory+swap: equal to the limit means no swap. Only where the kernel accounts swap.
        if (SwapAccounted.Value) memoryLimits["swap"] = memory;

        var mounts = new JsonArray(
            Mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
            Mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"),
            Bind("/usr", "/usr"));
        // Host directories the userland in /usr points into (certificates, Debian's alternatives), where this host has them.
        foreach (var shared in SharedHostDirectories.Value) mounts.Add(Bind(shared, shared));
        foreach (var file in new[] { "passwd", "group", "hosts", "hostname", "resolv.conf" })
            mounts.Add(Bind("/etc/" + file, Path.Combine(bundle, file)));
        mounts.Add(Mount("/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777", $"size={container.TmpDiskMb}m"));
        foreach (var mount in workMounts) mounts.Add(mount);

        var config = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = Process(container.Uid, args, environment, "/app", terminal),
            ["root"] = new JsonObject { ["path"] = stackRoot, ["readonly"] = true },
            ["hostname"] = hostname,
            ["mounts"] = mounts,
            ["linux"] = new JsonObject
            {
                ["cgroupsPath"] = container.CgroupsPath,
                ["resources"] = new JsonObject
                {
                    ["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" }),
                    ["memory"] = memoryLimits,
                    ["pids"] = new JsonObject { ["limit"] = container.Pids },
                    ["cpu"] = new JsonObject
                    {
                        ["shares"] = (long)Math.Max(2, Math.Round(container.Cpu * 1024)),
                        ["quota"] = (long)Math.Round(container.Cpu * 100_000),
                        ["period"] = 100_000,
                    },
                },
                ["namespaces"] = Namespaces(endpoint),
                ["maskedPaths"] = Array(["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/proc/interrupts", "/proc/sysrq-trigger"]),
                // On cgroup v1 the runtime puts a tmpfs of its own at /sys/fs/cgroup: read-only too, like every other system path.
                ["readonlyPaths"] = Array(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/sys/fs/cgroup"]),
                ["seccomp"] = SeccompProfile.Build(),
            },
        };
        if (annotations is { Count: > 0 })
        {
            var written = new JsonObject();
            foreach (var (key, value) in annotations) written[key] = value;
            config["annotations"] = written;
        }
        File.WriteAllText(Path.Combine(bundle, "config.json"), config.ToJsonString());
    }

    /// <summary>
    /// A process of the app's: its uid, no capabilities, no new privileges, clamped rlimits. The container's first
    /// process, and every one started in it later (<c>exec --process</c>), which would otherwise run as root.
    /// </summary>
    public static JsonObject Process(int uid, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, string cwd,
        bool terminal = false) => new()
    {
        ["terminal"] = terminal,
        ["user"] = new JsonObject { ["uid"] = uid, ["gid"] = uid },
        ["args"] = Array(args),
        ["env"] = Array(environment.Select(e => $"{e.Key}={e.Value}")),
        ["cwd"] = cwd,
        ["capabilities"] = new JsonObject
        {
            ["bounding"] = new JsonArray(), ["effective"] = new JsonArray(), ["inheritable"] = new JsonArray(),
            ["permitted"] = new JsonArray(), ["ambient"] = new JsonArray(),
        },
        ["rlimits"] = new JsonArray(
            Rlimit("RLIMIT_NOFILE", Math.Min(10_000, OpenFilesLimit.Value)),
            Rlimit("RLIMIT_CORE", 0)),
        ["noNewPrivileges"] = true,
        ["oomScoreAdj"] = 500,
    };

    private static JsonArray Namespaces(DynoEndpoint endpoint)
    {
        var namespaces = new JsonArray();
        foreach (var type in new[] { "pid", "ipc", "uts", "mount", "cgroup" }) namespaces.Add(new JsonObject { ["type"] = type });
        // Host-network dynos share the host's network namespace: no entry at all.
        if (endpoint.NetworkNamespace is { } path) namespaces.Add(new JsonObject { ["type"] = "network", ["path"] = path });
        return namespaces;
    }

    /// <summary>Host-network dynos use the host's resolvers as they are; others those reachable from their namespace.</summary>
    private static string ResolvConf(DynoEndpoint endpoint) =>
        endpoint.NetworkNamespace is null
            ? File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : ""
            : HostResolvers.ResolvConf();

    private static JsonArray Array(IEnumerable<string> items) => new(items.Select(i => (JsonNode)i!).ToArray());

    public static JsonObject Mount(string destination, string type, string source, params string[] options) =>
        new() { ["destination"] = destination, ["type"] = type, ["source"] = source, ["options"] = Array(options) };

    /// <summary>A host path bound into the container: read-only unless said otherwise, never with devices or setuid.</summary>
    public static JsonObject Bind(string destination, string source, bool writable = false) =>
        Mount(destination, "bind", source, "rbind", writable ? "rw" : "ro", "nosuid", "nodev");

    private static JsonObject Rlimit(string type, long value) => new() { ["type"] = type, ["hard"] = value, ["soft"] = value };

    /// <summary>A hard limit of this process (root here may lack CAP_SYS_RESOURCE: a dyno cannot get more than it).</summary>
    private static long HostLimit(string name)
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (!line.StartsWith(name)) continue;
            var fields = line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var hard)) return hard;
            return long.MaxValue;
        }
        return long.MaxValue;
    }
}
