namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>
/// What the container runtime needs from this machine, checked before the first dyno starts, so that a missing
/// piece is one clear message with its fix rather than a dyno failing in some odd way later. The platform never
/// quietly falls back to plain processes: an operator chooses that (NUVEM_DYNO_RUNTIME=process).
/// </summary>
public sealed record ContainerHost(string? OciRuntime, string? Conmon, IReadOnlyList<string> Problems)
{
    public const string Packages = "crun runc conmon tini containernetworking-plugins nftables iptables iproute2";
    public const string Tini = "/usr/bin/tini";
    public static readonly string[] CniDirectories = ["/usr/lib/cni", "/opt/cni/bin"];

    public bool Ready => Problems.Count == 0;

    public static ContainerHost Inspect(ContainerSettings settings)
    {
        var problems = new List<string>();
        var missing = new List<string>();
        if (!Libc.IsRoot)
            problems.Add("Containers need root: run nuvemd as root (sudo ./up.sh), or set NUVEM_DYNO_RUNTIME=process to run dynos as plain processes without isolation.");

        var conmon = HostCommand.Find("conmon");
        if (conmon is null) missing.Add("conmon");
        // tini is PID 1 inside the dyno, where only the host's /usr is visible.
        if (!File.Exists(Tini)) missing.Add("tini");
        if (HostCommand.Find("mount") is null || HostCommand.Find("umount") is null) missing.Add("mount");
        if (settings.Network == DynoNetworkMode.Bridge)
        {
            if (HostCommand.Find("nft") is null) missing.Add("nftables");
            if (HostCommand.Find("ip") is null || HostCommand.Find("bridge") is null) missing.Add("iproute2");
            if (CniPlugins() is null) missing.Add("containernetworking-plugins");
            // The bridge plugin masquerades dynos' outbound traffic with iptables rules.
            if (HostCommand.Find("iptables") is null) missing.Add("iptables");
        }

        var hybrid = HybridControllers();
        var crun = HostCommand.Find("crun");
        var runc = HostCommand.Find("runc");
        string? runtime;
        switch (settings.OciRuntime)
        {
            case null:
                // crun first (faster, smaller); runc takes the same bundle and copes with hybrid cgroups.
                runtime = crun is not null && hybrid is null ? crun : runc ?? crun;
                if (runtime is null) missing.Add("crun");
                else if (runtime == crun && hybrid is not null) problems.Add(HybridProblem(hybrid));
                break;
            case var name:
                runtime = HostCommand.Find(name);
                if (runtime is null) problems.Add($"The OCI runtime {name} (NUVEM_DYNO_OCI_RUNTIME) is not installed: apt-get install {Path.GetFileName(name)}.");
                else if (Path.GetFileName(runtime) == "crun" && hybrid is not null) problems.Add(HybridProblem(hybrid));
                break;
        }

        if (!Directory.Exists("/sys/fs/cgroup/memory") && !(File.Exists("/sys/fs/cgroup/cgroup.controllers")
                                                           && File.ReadAllText("/sys/fs/cgroup/cgroup.controllers").Split(' ', '\n').Contains("memory")))
            problems.Add("No cgroup memory controller is mounted (neither /sys/fs/cgroup/memory nor cgroup v2 with memory): dyno sizes cannot be enforced.");
        if (File.Exists("/proc/filesystems") && !File.ReadAllText("/proc/filesystems").Contains("overlay"))
            problems.Add("The kernel has no overlay filesystem: each dyno's writable /app needs it.");

        if (missing.Count > 0)
            problems.Insert(0, $"Missing: {string.Join(", ", missing.Distinct())}. Install with: apt-get install -y {Packages} (./up.sh does this).");
        return new ContainerHost(runtime, conmon, problems);
    }

    /// <summary>The directory holding the CNI plugins dynos need (bridge, host-local, loopback), or null.</summary>
    public static string? CniPlugins() =>
        CniDirectories.FirstOrDefault(d => new[] { "bridge", "host-local", "loopback" }.All(p => File.Exists(Path.Combine(d, p))));

    /// <summary>
    /// On hybrid hosts (cgroup v1 for memory/cpu/pids, a cgroup2 mount beside them) crun refuses to run while the
    /// cgroup2 side holds any controller; returns those controllers, or null when crun is fine here.
    /// </summary>
    private static string? HybridControllers()
    {
        const string unified = "/sys/fs/cgroup/unified/cgroup.controllers";
        if (!File.Exists(unified)) return null;
        var controllers = File.ReadAllText(unified).Trim();
        return controllers.Length == 0 ? null : controllers;
    }

    private static string HybridProblem(string controllers) =>
        $"crun refuses this host's hybrid cgroups (the cgroup2 mount /sys/fs/cgroup/unified holds: {controllers}). " +
        "Fix: mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb (./up.sh does this), " +
        "or install runc (apt-get install runc), which copes with hybrid cgroups.";
}
