using System.Collections.Concurrent;
using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.UnitTests.Dynos;

/// <summary>A dyno process whose exit, address and readiness the test decides; its stop follows the fake clock.</summary>
public sealed class FakeDynoProcess(DynoSpec spec, TimeProvider clock, Uri? address) : IAttachedDyno
{
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DynoSpec Spec { get; } = spec;
    public Uri? Address { get; } = address;
    public Task<int> Exited => _exited.Task;
    public Stream Input { get; } = new MemoryStream();
    public Stream Output { get; } = new MemoryStream();

    /// <summary>Whether something listens on <see cref="Address"/> yet.</summary>
    public volatile bool Accepts;
    /// <summary>Ignores SIGTERM: only SIGKILL after the grace ends it (R12).</summary>
    public volatile bool IgnoresSigterm;
    /// <summary>The graces it was stopped with (TimeSpan.Zero: SIGKILL at once).</summary>
    public ConcurrentQueue<TimeSpan> Stops { get; } = new();

    public void Exit(int code) => _exited.TrySetResult(code);

    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (!IgnoresSigterm || grace == TimeSpan.Zero)
        {
            Stops.Enqueue(grace);
            Exit(grace == TimeSpan.Zero ? 137 : 143);
            return false;
        }
        // The grace is on the clock before the stop shows, so a test that saw the stop may move time past it.
        var killAt = Task.Delay(grace, clock);
        Stops.Enqueue(grace);
        await killAt;
        Exit(137);
        return true;
    }

    public Task<bool> AcceptsConnectionsAsync(CancellationToken cancellation) => Task.FromResult(Accepts);
}

/// <summary>A dyno runtime that starts fake processes (no process, no root) and remembers what it was asked.</summary>
public sealed class FakeDynoRuntime(TimeProvider clock) : IDynoRuntime
{
    private int _port = 40000;

    /// <summary>Every process started, in order.</summary>
    public ConcurrentQueue<FakeDynoProcess> Started { get; } = new();
    /// <summary>Web dynos accept connections as soon as they start.</summary>
    public bool WebAcceptsAtOnce { get; set; } = true;
    /// <summary>When set, starting a dyno fails with it.</summary>
    public Exception? StartFailure { get; set; }
    /// <summary>What <see cref="RecoverAsync"/> offers for adoption.</summary>
    public List<(DynoSpec Spec, FakeDynoProcess Process, DateTimeOffset StartedAt)> Leftovers { get; } = [];
    public ConcurrentQueue<string> Forgotten { get; } = new();
    public bool ShutDown { get; private set; }
    public bool? LastTty { get; private set; }
    public List<string> Refused { get; } = [];

    public Task<IDynoProcess> StartAsync(DynoSpec spec, DynoOutput output, CancellationToken cancellation) =>
        StartFailure is { } failure ? Task.FromException<IDynoProcess>(failure) : Task.FromResult<IDynoProcess>(New(spec));

    public Task<IAttachedDyno> StartAttachedAsync(DynoSpec spec, bool tty, CancellationToken cancellation)
    {
        LastTty = tty;
        return Task.FromResult<IAttachedDyno>(New(spec));
    }

    private FakeDynoProcess New(DynoSpec spec)
    {
        var listens = spec.Type is "web" or "run";
        var process = new FakeDynoProcess(spec, clock, listens ? new Uri($"http://127.0.0.1:{Interlocked.Increment(ref _port)}") : null)
        {
            Accepts = !listens || WebAcceptsAtOnce,
        };
        Started.Enqueue(process);
        return process;
    }

    public Task<IReadOnlyList<AdoptedDyno>> RecoverAsync(Func<DynoSpec, DynoOutput?> adopt)
    {
        var adopted = new List<AdoptedDyno>();
        foreach (var (spec, process, startedAt) in Leftovers)
        {
            if (adopt(spec) is null) { Refused.Add(spec.Name); continue; }
            adopted.Add(new AdoptedDyno(spec, process, startedAt));
        }
        return Task.FromResult<IReadOnlyList<AdoptedDyno>>(adopted);
    }

    public Task ShutdownAsync()
    {
        ShutDown = true;
        return Task.CompletedTask;
    }

    public void Forget(string appId) => Forgotten.Enqueue(appId);

    public List<FakeDynoProcess> Of(string name) => Started.Where(p => p.Spec.Name == name).ToList();
}
