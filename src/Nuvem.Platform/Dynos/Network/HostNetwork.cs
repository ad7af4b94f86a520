using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Dynos.Network;

/// <summary>
/// Dynos on the host's own network, each on a distinct loopback port: for hosts without bridges or nftables.
/// Dynos can then reach each other and the host's loopback services; bridge mode is the isolated one.
/// </summary>
public sealed class HostNetwork : IDynoNetwork
{
    public Task SetUpAsync() => Task.CompletedTask;

    public Task<DynoEndpoint> AttachAsync(string id, CancellationToken cancellation)
    {
        return Task.FromResult(new DynoEndpoint(null, "127.0.0.1", TcpProbe.FreeLoopbackPort()));
    }

    public Task DetachAsync(string id, DynoEndpoint? endpoint) => Task.CompletedTask;

    public Task ReleaseLeftoversAsync(IReadOnlySet<string> keep) => Task.CompletedTask;

    public Task ReleaseSparesAsync() => Task.CompletedTask;

    public Task TearDownAsync() => Task.CompletedTask;
}
