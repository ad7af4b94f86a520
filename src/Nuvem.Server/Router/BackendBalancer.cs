using System.Collections.Concurrent;
using Nuvem.Platform.Routing;

namespace Nuvem.Server.Router;

/// <summary>
/// Chooses a web dyno per request by "power of two choices": two distinct dynos at random, the one with fewer
/// requests in flight wins. Almost as even as least-requests, with no global scan and no herding onto one fresh dyno.
/// In-flight counts are kept per dyno address across route-table snapshots.
/// </summary>
public sealed class BackendBalancer
{
    private const int PruneAbove = 4096;

    internal sealed class Counter
    {
        public int InFlight;
    }

    private readonly ConcurrentDictionary<Backend, Counter> _counters = new();

    /// <summary>Requests in flight to <paramref name="backend"/> through this router.</summary>
    public int InFlight(Backend backend) => _counters.TryGetValue(backend, out var c) ? Volatile.Read(ref c.InFlight) : 0;

    /// <param name="exclude">A dyno that just failed; picked only when it is the only one.</param>
    public Backend Pick(IReadOnlyList<Backend> backends, Backend? exclude = null)
    {
        var count = backends.Count;
        if (count == 0) throw new ArgumentException("No backends to choose from.", nameof(backends));
        if (count == 1) return backends[0];
        if (exclude is not null)
        {
            var others = backends.Where(b => b != exclude).ToList();
            if (others.Count == 0) return backends[0];
            if (others.Count < count) return Pick(others);
        }
        var i = Random.Shared.Next(count);
        var j = Random.Shared.Next(count - 1);
        if (j >= i) j++;
        var a = backends[i];
        var b = backends[j];
        return InFlight(b) < InFlight(a) ? b : a;
    }

    /// <summary>Counts a request to <paramref name="backend"/> as in flight until the returned lease is disposed.</summary>
    public Lease Acquire(Backend backend)
    {
        if (!_counters.TryGetValue(backend, out var counter))
        {
            if (_counters.Count > PruneAbove) Prune();
            counter = _counters.GetOrAdd(backend, _ => new Counter());
        }
        Interlocked.Increment(ref counter.InFlight);
        return new Lease(counter);
    }

    /// <summary>Forgets idle dynos (addresses change with every dyno start). A request still holding a pruned
    /// counter only decrements its own detached copy, so counts stay correct for everything routed afterwards.</summary>
    private void Prune()
    {
        foreach (var (backend, counter) in _counters)
        {
            if (Volatile.Read(ref counter.InFlight) == 0) _counters.TryRemove(new KeyValuePair<Backend, Counter>(backend, counter));
        }
    }

    public readonly struct Lease : IDisposable
    {
        private readonly Counter? _counter;
        internal Lease(Counter counter) => _counter = counter;
        public void Dispose()
        {
            if (_counter is not null) Interlocked.Decrement(ref _counter.InFlight);
        }
    }
}
