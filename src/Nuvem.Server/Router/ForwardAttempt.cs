using System.Diagnostics;
using Nuvem.Platform.Routing;

namespace Nuvem.Server.Router;

/// <summary>
/// One request's trip to the dynos: which dyno serves it (it changes when the first refuses the connection), how
/// long connecting took, and the in-flight lease on the chosen dyno. Travels from the router to the transport in
/// the outgoing request's options.
/// </summary>
internal sealed class ForwardAttempt(IReadOnlyList<Backend> backends, BackendBalancer balancer) : IDisposable
{
    public static readonly HttpRequestOptionsKey<ForwardAttempt> Key = new("nuvem.router.attempt");

    private BackendBalancer.Lease _lease;

    public Backend Backend { get; private set; } = null!;

    /// <summary>Time spent opening a new connection to the dyno (0 when a kept-alive one was reused).</summary>
    public long ConnectTicks { get; set; }

    public bool Retried { get; private set; }

    public void Start()
    {
        Backend = balancer.Pick(backends);
        _lease = balancer.Acquire(Backend);
    }

    /// <summary>After a refused connection: moves to another dyno, once. False when there is none or it was tried.</summary>
    public bool TryFailover()
    {
        if (Retried || backends.Count < 2) return false;
        var next = balancer.Pick(backends, exclude: Backend);
        if (next == Backend) return false;
        _lease.Dispose();
        Backend = next;
        _lease = balancer.Acquire(next);
        Retried = true;
        return true;
    }

    public static long Milliseconds(long ticks) => (long)(ticks * 1000.0 / Stopwatch.Frequency);

    public void Dispose()
    {
        _lease.Dispose();
        _lease = default;
    }
}
