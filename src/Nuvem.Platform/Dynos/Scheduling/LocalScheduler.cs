using Nuvem.Platform.Apps;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Routing;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// Keeps running what should run on this machine: for every app, its formation of the current release, as dynos named
/// <c>web.1…N</c>, <c>worker.1</c>… It compares desired and running dynos continuously (and at once when asked),
/// starts what is missing, stops what is extra, and replaces dynos of an older release (<see cref="Reconciler"/>).
/// Crashed dynos restart at once, then after growing cool-offs (<see cref="CrashPolicy"/>). Everything happens on one
/// loop (an actor, <see cref="SchedulerInbox"/>): API calls and process exits are messages to it, so the bookkeeping
/// needs no locks. It is also the router's route table.
/// </summary>
public sealed class LocalScheduler : IScheduler, IRouteTable
{
    private readonly DynoSettings _timings;
    private readonly IDynoRuntime _runtime;
    private readonly TimeProvider _clock;
    private readonly Func<string, string?> _appIdForHost;
    private readonly SchedulerInbox _inbox = new();
    private readonly DynoTable _dynos;
    private readonly CrashPolicy _crashes;
    private readonly DynoStopper _stopper;
    private readonly DynoLauncher _launcher;
    private readonly RoutePublisher _publisher;
    private readonly Reconciler _reconciler;
    private readonly OneOffDynos _oneOffs;

    public LocalScheduler(IDesiredStateSource desired, PlatformSettings settings, DynoSettings timings, IDynoRuntime runtime,
        ILogplex logplex, DomainService domains, TimeProvider clock)
        : this(desired, settings, timings, runtime, logplex, domains.AppIdForHost, clock)
    {
    }

    /// <param name="appIdForHost">The app answering to a host (its default host or a custom domain), or null.</param>
    internal LocalScheduler(IDesiredStateSource desired, PlatformSettings settings, DynoSettings timings, IDynoRuntime runtime,
        ILogplex logplex, Func<string, string?> appIdForHost, TimeProvider clock)
    {
        _timings = timings;
        _runtime = runtime;
        _clock = clock;
        _appIdForHost = appIdForHost;
        _dynos = new DynoTable(logplex, clock);
        _crashes = new CrashPolicy(timings, clock, _dynos, _inbox);
        _stopper = new DynoStopper(timings, clock, _dynos, _inbox);
        var boots = new BootWatch(timings, clock, _dynos, _crashes, _inbox);
        _launcher = new DynoLauncher(runtime, logplex, clock, _dynos, _inbox, _crashes, boots, _stopper);
        _publisher = new RoutePublisher(_dynos);
        var reader = new DesiredStateReader(desired);
        _reconciler = new Reconciler(reader, _dynos, _launcher, _stopper, boots, _publisher, logplex, clock);
        _oneOffs = new OneOffDynos(settings, runtime, clock, _dynos, _launcher, reader, _publisher);
    }

    /// <summary>The loop. Runs until <paramref name="stopping"/>, then stops every dyno gracefully.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await _launcher.AdoptAsync();
        }
        catch (Exception e)
        {
            // Without recovery the manager still runs what should run; the runtime's own errors show on each start.
            Console.Error.WriteLine($"dyno manager: taking over the previous process's dynos failed: {e}");
        }
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                using var interval = new CancellationTokenSource(_timings.ReconcileInterval, _clock);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping, interval.Token);
                await _inbox.WaitAsync(wait.Token);
                await _inbox.HandleWaitingAsync();
                await _reconciler.PassAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bad app (a missing slug, say) must not stop the loop for every other app.
                Console.Error.WriteLine($"dyno manager: {e}");
            }
        }
        // Dynos still being created are waited for (their results are messages), so that none is left running.
        await _launcher.WaitForLaunchesAsync();
        await _inbox.HandleWaitingAsync();
        await Task.WhenAll(_dynos.All.Where(d => d.Process is not null && !d.Process.Exited.IsCompleted)
            .Select(d => d.Process!.StopAsync(_timings.StopGrace)));
        await _runtime.ShutdownAsync();
    }

    /// <summary>Asks for a comparison of desired and running dynos now (after a deploy, scale or config change).</summary>
    public void Kick() => _inbox.Kick();

    /// <summary>
    /// Brings the route table and dynos up to date before returning, so that a change the caller just made (a new
    /// app, maintenance on or off, a scale) is what the very next request through the router sees.
    /// </summary>
    public Task RefreshAsync() => _inbox.AskAsync(async () =>
    {
        await _reconciler.PassAsync();
        return true;
    });

    public void Apply(string appId) => Kick();

    public Task ApplyNowAsync(string appId) => RefreshAsync();

    public async Task ForgetAsync(string appId)
    {
        await RefreshAsync(); // its dynos stop before what they run from goes
        _runtime.Forget(appId);
    }

    public IReadOnlyList<Dyno> List(App app) => _publisher.List(app.Id);

    /// <summary>The host's app (its default host or a custom domain, through the domain service) and its up web dynos.</summary>
    public AppRoute? Resolve(string host) => _appIdForHost(host.ToLowerInvariant()) is { } appId ? _publisher.Route(appId) : null;

    /// <summary>Restarts an app's dynos: all, one process type, or one dyno by name.</summary>
    /// <returns>How many dynos were restarted or were already on their way to a restart; 0 means no such dyno or type.</returns>
    public Task<int> RestartAsync(App app, string? type = null, string? name = null) => _inbox.Ask(() =>
    {
        // Counted before these stops, which would make the targets "already restarting" too.
        var already = _dynos.AlreadyRestarting(app.Id, type, name);
        var targets = _dynos.Select(app.Id, type, name);
        foreach (var dyno in targets)
        {
            _dynos.Log(dyno, "Restarting");
            dyno.Crashes = 0;
            _stopper.StopInBackground(dyno);
        }
        return targets.Count + already;
    });

    /// <summary>Stops dynos (<c>ps:stop</c>); as their formation still wants them, they come back fresh.</summary>
    public Task<int> StopAsync(App app, string? type = null, string? name = null) => _inbox.Ask(() =>
    {
        var already = _dynos.AlreadyRestarting(app.Id, type, name);
        var targets = _dynos.Select(app.Id, type, name);
        foreach (var dyno in targets) _stopper.StopInBackground(dyno);
        return targets.Count + already;
    });

    /// <summary>
    /// Starts a one-off dyno (<c>run.NNNN</c>) with the current release's slug and config plus the request's environment.
    /// Detached, its output goes to the app's log; attached, the caller gets its streams. It is never restarted.
    /// </summary>
    public Task<(Dyno Dyno, IAttachedDyno? Attached)> RunOneOffAsync(App app, OneOffRequest request) =>
        _inbox.AskAsync(() => _oneOffs.StartAsync(app, request));
}
