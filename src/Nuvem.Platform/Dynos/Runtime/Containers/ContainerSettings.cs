using Nuvem.Platform.Dynos.Network;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>How dynos get their network.</summary>
public enum DynoNetworkMode
{
    /// <summary>A network namespace per dyno on a bridge: every dyno listens on the same port at its own address.</summary>
    Bridge,

    /// <summary>The host's network: each dyno gets its own port on loopback. No network isolation.</summary>
    Host,
}

/// <summary>The container runtime's configuration (NUVEM_DYNO_* settings).</summary>
public sealed record ContainerSettings
{
    /// <summary>Where bundles, unpacked slugs, the stack root and runtime state live (the data dir's <c>dynos/</c>).</summary>
    public required string Directory { get; init; }

    /// <summary>"crun", "runc" or a path; null picks crun when it can run on this host, else runc.</summary>
    public string? OciRuntime { get; init; }

    public DynoNetworkMode Network { get; init; } = DynoNetworkMode.Bridge;

    /// <summary>The bridge dynos hang off (bridge mode); at most 15 characters, a Linux interface name.</summary>
    public string Bridge { get; init; } = "nuvem0";

    /// <summary>The dynos' addresses (bridge mode); the first is the bridge's own.</summary>
    public string Subnet { get; init; } = "10.213.0.0/16";

    /// <summary>The <c>$PORT</c> every dyno listens on in bridge mode (each has its own address).</summary>
    public int Port { get; init; } = 5000;

    /// <summary>Networks dynos may not connect to (bridge mode): private, shared and link-local ones by default.</summary>
    public IReadOnlyList<string> EgressDeny { get; init; } = BridgeNetwork.PrivateNetworks;

    /// <summary>Where dyno cgroups go, below each controller's root.</summary>
    public string CgroupParent { get; init; } = "nuvem-dynos";
}
