namespace Nuvem.Platform.Dynos.Network;

/// <summary>Where a dyno can be reached: its network namespace (null: the host's) and its address for the router.</summary>
/// <param name="HostInterface">The host side of the dyno's link, where there is one (its bridge port).</param>
public sealed record DynoEndpoint(string? NetworkNamespace, string Host, int Port, string? HostInterface = null)
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

    /// <summary>Releases what <see cref="AttachAsync"/> took (address lease, namespace); safe to call twice.</summary>
    Task DetachAsync(string id, DynoEndpoint? endpoint);

    /// <summary>Drops what is held for dynos other than <paramref name="keep"/> after a crash: address leases, NAT rules.</summary>
    Task ReleaseLeftoversAsync(IReadOnlySet<string> keep);

    /// <summary>Removes what <see cref="SetUpAsync"/> made, once no dyno is left.</summary>
    Task TearDownAsync();
}
