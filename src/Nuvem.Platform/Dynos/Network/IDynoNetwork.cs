namespace Nuvem.Platform.Dynos.Network;

/// <summary>Where a dyno can be reached: its network namespace (null: the host's) and its address for the router.</summary>
/// <param name="HostInterface">The host side of the dyno's link, where there is one (its bridge port).</param>
/// <param name="NetworkId">What the network knows it by (its address lease's owner), where that is not the dyno's id:
/// a network made ahead of time for whichever dyno comes next.</param>
public sealed record DynoEndpoint(string? NetworkNamespace, string Host, int Port, string? HostInterface = null, string? NetworkId = null)
{
    public Uri Address => new($"http://{Host}:{Port}");
}

/// <summary>
/// How dynos are wired: a namespace of their own on a bridge (<see cref="BridgeNetwork"/>), or the host's network
/// with a port each (<see cref="HostNetwork"/>).
/// </summary>
public interface IDynoNetwork
{
    /// <summary>Prepares the host (bridge firewall rules); idempotent.</summary>
    Task SetUpAsync();

    /// <summary>Gives the dyno <paramref name="id"/> its network before it starts.</summary>
    Task<DynoEndpoint> AttachAsync(string id, CancellationToken cancellation);

    /// <summary>Releases what <see cref="AttachAsync"/> took (address lease, namespace); safe to call twice. Without
    /// <paramref name="endpoint"/>, what would have been made for <paramref name="id"/> on demand.</summary>
    Task DetachAsync(string id, DynoEndpoint? endpoint);

    /// <summary>
    /// Drops what is held for dynos other than <paramref name="keep"/> after a crash: address leases, NAT rules, spare
    /// networks a previous platform process made. <paramref name="keep"/> holds the kept dynos' network ids
    /// (<see cref="DynoEndpoint.NetworkId"/>, else their dyno ids).
    /// </summary>
    Task ReleaseLeftoversAsync(IReadOnlySet<string> keep);

    /// <summary>Releases networks made ahead of time for dynos not yet started, and makes no more (platform shutdown).</summary>
    Task ReleaseSparesAsync();

    /// <summary>Removes what <see cref="SetUpAsync"/> made, once no dyno is left.</summary>
    Task TearDownAsync();
}
