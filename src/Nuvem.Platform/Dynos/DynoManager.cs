using System.Collections.Immutable;
using System.Threading.Channels;
using Dapper;
using Nuvem.Platform.Apps;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Formation;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Routing;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Dynos;

/// <summary>
/// Keeps running what should run: for every app, its formation of the current release, as dynos named
/// <c>web.1…N</c>, <c>worker.1</c>… It compares desired and running dynos continuously (and at once when asked),
/// starts what is missing, stops what is extra, and replaces dynos of an older release — new web dynos first,
/// old ones only once the new ones are up, so a deploy drops no requests. Crashed dynos restart at once, then
/// after growing cool-offs. Everything happens on one loop (an actor): API calls and process exits are messages
/// to it, so the bookkeeping needs no locks. It is also the router's route table.
/// </summary>
public sealed class DynoManager(
    Database database,
    PlatformSettings settings,
    DynoSettings timings,
    IDynoRuntime runtime,
    ILogplex logplex,
    SlugBlobStore slugs,
    DomainService domains,
    TimeProvider clock) : IScheduler, IRouteTable
{
    private readonly Channel<Func<Task>> _inbox = Channel.CreateUnbounded<Func<Task>>();
    private readonly List<Running> _dynos = [];
    private ImmutableDictionary<string, AppRoute> _routes = ImmutableDictionary<string, AppRoute>.Empty;
    private ImmutableDictionary<string, ImmutableArray<Dyno>> _views = ImmutableDictionary<string, ImmutableArray<Dyno>>.Empty;
    /// <summary>Each app's last desired state that could be read: what its dynos and route stay on while its current one
    /// cannot be (see <see cref="LoadDesired"/>).</summary>
    private readonly Dictionary<string, AppDesire> _lastGood = new();
    /// <summary>The platform errors already written to each app's log, so a broken app says so once, not every pass.</summary>
    private readonly Dictionary<string, HashSet<string>> _reported = new();
    private readonly List<Task> _launches = [];

    /// <summary>The loop. Runs until <paramref name="stopping"/>, then stops every dyno gracefully.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await AdoptAsync();
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
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                wait.CancelAfter(timings.ReconcileInterval);
                try { await _inbox.Reader.WaitToReadAsync(wait.Token); }
                catch (OperationCanceledException) { }
                while (_inbox.Reader.TryRead(out var message)) await message();
                await ReconcileAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bad app (a missing slug, say) must not stop the loop for every other app.
                Console.Error.WriteLine($"dyno manager: {e}");
            }
        }
        // Dynos still being created are waited for (their results are messages), so that none is left running.
        await Task.WhenAll(_launches);
        while (_inbox.Reader.TryRead(out var pending)) await pending();
        await Task.WhenAll(_dynos.Where(d => d.Process is not null && !d.Process.Exited.IsCompleted)
            .Select(d => d.Process!.StopAsync(timings.StopGrace)));
        await runtime.ShutdownAsync();
    }

    /// <summary>
    /// Takes over the dynos a previous platform process left running (a crash, an upgrade): formation dynos and
    /// detached one-offs carry on as if nothing happened, so the next pass finds them and starts no duplicates.
    /// A release phase's dyno is not adopted: its caller is gone, and the release stays pending.
    /// </summary>
    private async Task AdoptAsync()
    {
        var adopted = await runtime.RecoverAsync(spec => spec.Type == "release" ? null : OutputOf(spec.AppId, spec.Name));
        var now = clock.GetUtcNow();
        foreach (var (spec, process, startedAt) in adopted)
        {
            var dyno = new Running
            {
                Id = spec.Id, AppId = spec.AppId, Name = spec.Name, Type = spec.Type, Command = spec.Command, Size = spec.Size.Name,
                ReleaseId = spec.ReleaseId, ReleaseVersion = spec.ReleaseVersion, OneOff = spec.Type == "run",
                Process = process, StartedAt = startedAt, UpdatedAt = now, State = "up", UpSince = now,
            };
            _dynos.Add(dyno);
            WatchExit(dyno, process);
        }
    }

    private DynoOutput OutputOf(string appId, string name) => new(
        line => { logplex.Publish(appId, "app", name, line); return Task.CompletedTask; },
        notice => logplex.Publish(appId, "heroku", name, notice),
        () => logplex.FlushAsync(),
        (line, at) => { logplex.Publish(appId, "app", name, line, at); return Task.CompletedTask; });

    private void WatchExit(Running dyno, IDynoProcess process) =>
        _ = process.Exited.ContinueWith(exited => _inbox.Writer.TryWrite(() =>
        {
            // A runtime that lost track of its dyno (a faulted watch) reports it gone, as a crash.
            OnExit(dyno, process, exited.IsCompletedSuccessfully ? exited.Result : 255);
            return Task.CompletedTask;
        }), TaskScheduler.Default);

    /// <summary>Asks for a comparison of desired and running dynos now (after a deploy, scale or config change).</summary>
    public void Kick() => _inbox.Writer.TryWrite(() => Task.CompletedTask);

    /// <summary>
    /// Brings the route table and dynos up to date before returning, so that a change the caller just made (a new
    /// app, maintenance on or off, a scale) is what the very next request through the router sees.
    /// </summary>
    public Task RefreshAsync() => AskAsync(async () =>
    {
        await ReconcileAsync();
        return true;
    });

    public void Apply(string appId) => Kick();

    public Task ApplyNowAsync(string appId) => RefreshAsync();

    public async Task ForgetAsync(string appId)
    {
        await RefreshAsync(); // its dynos stop before what they run from goes
        runtime.Forget(appId);
    }

    public Task<(Dyno Dyno, IAttachedDyno? Attached)> RunOneOffAsync(App app, OneOffRequest request) =>
        RunOneOffAsync(app, request.Command, request.Environment, request.Size, request.Attach, request.Tty);

    public IReadOnlyList<Dyno> List(App app) => _views.TryGetValue(app.Id, out var dynos) ? dynos : [];

    /// <summary>The host's app (its default host or a custom domain, through the domain service) and its up web dynos.</summary>
    public AppRoute? Resolve(string host)
    {
        var appId = domains.AppIdForHost(host.ToLowerInvariant());
        return appId is not null && _routes.TryGetValue(appId, out var route) ? route : null;
    }

    /// <summary>Restarts an app's dynos: all, one process type, or one dyno by name.</summary>
    /// <returns>How many dynos were restarted or were already on their way to a restart; 0 means no such dyno or type.</returns>
    public Task<int> RestartAsync(App app, string? type = null, string? name = null) => Ask(() =>
    {
        var targets = Select(app, type, name);
        foreach (var dyno in targets)
        {
            Log(dyno, "Restarting");
            dyno.Crashes = 0;
            StopInBackground(dyno, replaceAfter: true);
        }
        return targets.Count + AlreadyRestarting(app, type, name);
    });

    /// <summary>Stops dynos (<c>ps:stop</c>); as their formation still wants them, they come back fresh.</summary>
    public Task<int> StopAsync(App app, string? type = null, string? name = null) => Ask(() =>
    {
        var targets = Select(app, type, name);
        foreach (var dyno in targets) StopInBackground(dyno, replaceAfter: true);
        return targets.Count + AlreadyRestarting(app, type, name);
    });

    /// <summary>
    /// Starts a one-off dyno (<c>run.NNNN</c>) with the current release's slug and config plus <paramref name="environment"/>.
    /// Detached, its output goes to the app's log; attached, the caller gets its streams. It is never restarted.
    /// </summary>
    public Task<(Dyno Dyno, IAttachedDyno? Attached)> RunOneOffAsync(App app, string command, IReadOnlyDictionary<string, string> environment,
        string? size, bool attach, bool tty) => AskAsync(async () =>
    {
        var (desired, broken) = LoadDesired();
        if (broken.TryGetValue(app.Id, out var problem)) throw PlatformException.Invalid($"{app.Name} cannot run dynos now: {problem}");
        if (!desired.TryGetValue(app.Id, out var current) || current.SlugPath is null || current.ReleaseId is null)
            throw PlatformException.Invalid($"{app.Name} has no release to run yet: deploy it first (git push).");
        var dynoSize = size is null ? settings.DynoSizes.DefaultSize
            : settings.DynoSizes.Find(size) ?? throw PlatformException.Invalid(
                $"No such dyno size '{size}'. Available sizes: {string.Join(", ", settings.DynoSizes.All.Select(s => s.Name))}.");
        string name;
        do name = $"run.{Random.Shared.Next(1000, 10000)}"; while (_dynos.Any(d => d.AppId == app.Id && d.Name == name));
        var dyno = new Running
        {
            Id = Guid.NewGuid().ToString(), AppId = app.Id, Name = name, Type = "run", Command = command, Size = dynoSize.Name,
            ReleaseId = current.ReleaseId, ReleaseVersion = current.ReleaseVersion, OneOff = true,
        };
        var config = new Dictionary<string, string>(current.ConfigVars);
        foreach (var (key, value) in environment) config[key] = value;
        var spec = new DynoSpec(dyno.Id, app.Id, app.Name, current.Uid, name, "run", command, current.ReleaseId, current.ReleaseVersion,
            current.SlugPath, dynoSize, config);
        dyno.StartedAt = clock.GetUtcNow();
        Log(dyno, $"Starting process with command `{command}`");
        IAttachedDyno? attached = null;
        if (attach)
        {
            attached = await runtime.StartAttachedAsync(spec, tty, CancellationToken.None);
            dyno.Process = attached;
        }
        else
        {
            dyno.Process = await runtime.StartAsync(spec, OutputOf(app.Id, name), CancellationToken.None);
        }
        _dynos.Add(dyno);
        SetUp(dyno);
        WatchExit(dyno, dyno.Process);
        Publish(desired);
        return (View(dyno), attached);
    });

    private static Dyno View(Running d) => new()
    {
        Id = d.Id, AppId = d.AppId, Name = d.Name, Type = d.Type, Command = d.Command, State = d.State, Size = d.Size,
        ReleaseId = d.ReleaseId, ReleaseVersion = d.ReleaseVersion, CreatedAt = d.StartedAt, UpdatedAt = d.UpdatedAt,
        Address = d.Process?.Address,
    };

    private List<Running> Select(App app, string? type, string? name) =>
        _dynos.Where(d => d.AppId == app.Id && !d.Retired && !d.Stopping && (type is null || d.Type == type) && (name is null || d.Name == name)).ToList();

    /// <summary>Dynos stopping to be started afresh (a restart or stop moments ago). A second restart right after the
    /// first (`heroku ps:restart` then `ps:restart web`) finds them so and is already satisfied: not a "no such dyno".</summary>
    private int AlreadyRestarting(App app, string? type, string? name) =>
        _dynos.Count(d => d.AppId == app.Id && !d.Retired && d.Stopping && !d.OneOff && (type is null || d.Type == type) && (name is null || d.Name == name));

    private async Task<T> AskAsync<T>(Func<Task<T>> work)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _inbox.Writer.WriteAsync(async () =>
        {
            try { answer.SetResult(await work()); }
            catch (Exception e) { answer.SetException(e); }
        });
        return await answer.Task;
    }

    private async Task<T> Ask<T>(Func<T> work)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _inbox.Writer.WriteAsync(() =>
        {
            try { answer.SetResult(work()); }
            catch (Exception e) { answer.SetException(e); }
            return Task.CompletedTask;
        });
        return await answer.Task;
    }

    private sealed record Want(string Type, int Quantity, string Command, DynoSize Size);

    private sealed record AppDesire(string AppId, string AppName, int Uid, bool Maintenance, string? ReleaseId, long ReleaseVersion,
        string? SlugPath, IReadOnlyDictionary<string, string> ConfigVars, IReadOnlyList<Want> Wants);

    private sealed class Running
    {
        public required string Id { get; init; }
        public required string AppId { get; init; }
        public required string Name { get; init; }
        public required string Type { get; init; }
        public required string Command { get; init; }
        public required string Size { get; init; }
        public required string ReleaseId { get; init; }
        public required long ReleaseVersion { get; init; }
        public string State { get; set; } = "starting";
        public IDynoProcess? Process { get; set; }
        public DateTimeOffset StartedAt { get; set; }
        public DateTimeOffset UpdatedAt { get; set; }
        public DateTimeOffset? UpSince { get; set; }
        public int Crashes { get; set; }
        public DateTimeOffset? RestartAt { get; set; }
        /// <summary>Being stopped on purpose: its exit is not a crash.</summary>
        public bool Stopping { get; set; }
        /// <summary>Replaced by a dyno of a newer release (or scaled away): it goes once it has stopped.</summary>
        public bool Retired { get; set; }
        /// <summary>A one-off dyno (<c>run.N</c>): outside the formation, never restarted.</summary>
        public bool OneOff { get; init; }
        /// <summary>Its runtime is creating it (off the loop): it has no process yet, and must not be forgotten.</summary>
        public bool Launching { get; set; }
    }

    /// <summary>
    /// One pass over every app. Each app is reconciled on its own: an app whose desired state cannot be read or acted on
    /// (a slug gone from the store, unreadable config vars, a runtime refusing it) keeps its dynos as they are, gets one
    /// <c>heroku[manager]: Error R99</c> line per distinct error, and is retried on the next pass; every other app goes on.
    /// </summary>
    private async Task ReconcileAsync()
    {
        var (desired, broken) = LoadDesired();
        var now = clock.GetUtcNow();

        foreach (var app in desired.Values.Where(a => !broken.ContainsKey(a.AppId)))
        {
            try { StartWanted(app, now); }
            catch (Exception e) { broken[app.AppId] = e.Message; }
        }

        // Dynos of apps, process types or indexes no longer wanted, and retired dynos whose successor is ready. A broken
        // app's are left alone: what it wants is unknown, and stopping a running app for a platform error would be worse.
        foreach (var dyno in _dynos.Where(d => !d.OneOff && !broken.ContainsKey(d.AppId)).ToList())
        {
            try { RetireIfUnwanted(dyno, desired); }
            catch (Exception e) { broken[dyno.AppId] = e.Message; }
        }

        _launches.RemoveAll(t => t.IsCompleted);
        await CheckBootsAsync(now, broken);
        Report(broken);
        Publish(desired);
    }

    private void StartWanted(AppDesire app, DateTimeOffset now)
    {
        foreach (var want in app.Wants)
        {
            for (var index = 1; index <= want.Quantity; index++)
            {
                var name = $"{want.Type}.{index}";
                var current = _dynos.Where(d => d.AppId == app.AppId && d.Name == name && !d.Retired).ToList();
                var matching = current.FirstOrDefault(d => d.ReleaseId == app.ReleaseId && d.Command == want.Command && d.Size == want.Size.Name);
                if (matching is null)
                {
                    var started = Start(app, name, want);
                    // The old dyno of this name goes once its successor is up (web) or started (others).
                    foreach (var old in current) old.Retired = true;
                    if (started is null) continue;
                }
                else if (matching.State == "crashed" && matching.RestartAt <= now && !matching.Stopping)
                {
                    RestartCrashed(app, matching, want);
                }
            }
        }
    }

    private void RetireIfUnwanted(Running dyno, IReadOnlyDictionary<string, AppDesire> desired)
    {
        desired.TryGetValue(dyno.AppId, out var app);
        var want = app?.Wants.FirstOrDefault(w => w.Type == dyno.Type);
        var index = int.TryParse(dyno.Name[(dyno.Name.LastIndexOf('.') + 1)..], out var i) ? i : int.MaxValue;
        var wanted = app is not null && want is not null && index <= want.Quantity;
        if (!wanted && !dyno.Retired)
        {
            dyno.Retired = true;
        }
        if (!dyno.Retired || dyno.Stopping || dyno.Launching) return;
        var successor = _dynos.FirstOrDefault(d => d.AppId == dyno.AppId && d.Name == dyno.Name && !d.Retired);
        var successorReady = successor is null || successor.State is "up" or "crashed" || successor.Type != "web";
        if (!wanted || successorReady)
        {
            if (dyno.Process is null || dyno.Process.Exited.IsCompleted) _dynos.Remove(dyno);
            else StopInBackground(dyno, replaceAfter: false);
        }
    }

    /// <summary>
    /// Writes each broken app's errors to its log the first time they are seen, in Heroku's words for a platform error
    /// (<c>heroku[manager]: Error R99 (Platform error) -> …</c>); an app that reconciles cleanly again starts afresh.
    /// </summary>
    private void Report(IReadOnlyDictionary<string, string> broken)
    {
        foreach (var appId in _reported.Keys.Where(id => !broken.ContainsKey(id)).ToList()) _reported.Remove(appId);
        foreach (var (appId, problem) in broken)
        {
            if (!_reported.TryGetValue(appId, out var seen)) _reported[appId] = seen = [];
            if (!seen.Add(problem)) continue;
            logplex.Publish(appId, "heroku", "manager", $"Error R99 (Platform error) -> {problem}");
            Console.Error.WriteLine($"dyno manager: app {appId}: {problem} (its dynos are left as they are; retrying every pass)");
        }
    }

    private Running? Start(AppDesire app, string name, Want want)
    {
        if (app.SlugPath is null || app.ReleaseId is null) return null;
        var dyno = new Running
        {
            Id = Guid.NewGuid().ToString(), AppId = app.AppId, Name = name, Type = want.Type, Command = want.Command,
            Size = want.Size.Name, ReleaseId = app.ReleaseId, ReleaseVersion = app.ReleaseVersion,
        };
        _dynos.Add(dyno);
        Launch(app, dyno, want);
        return dyno;
    }

    private void RestartCrashed(AppDesire app, Running dyno, Want want)
    {
        dyno.RestartAt = null;
        Launch(app, dyno, want);
    }

    /// <summary>
    /// Has the runtime create the dyno off the loop: a container takes a while (a slug to unpack, a network to wire),
    /// and API calls and other apps' dynos need not wait for it. The outcome comes back as a message.
    /// </summary>
    private void Launch(AppDesire app, Running dyno, Want want)
    {
        dyno.StartedAt = clock.GetUtcNow();
        SetState(dyno, "starting");
        dyno.UpSince = null;
        Log(dyno, $"Starting process with command `{want.Command}`");
        var spec = new DynoSpec(dyno.Id, app.AppId, app.AppName, app.Uid, dyno.Name, dyno.Type, dyno.Command,
            dyno.ReleaseId, dyno.ReleaseVersion, app.SlugPath!, want.Size, app.ConfigVars);
        var output = OutputOf(app.AppId, dyno.Name);
        dyno.Launching = true;
        _launches.Add(Task.Run(async () =>
        {
            try
            {
                var process = await runtime.StartAsync(spec, output, CancellationToken.None);
                await _inbox.Writer.WriteAsync(() => { Launched(dyno, process); return Task.CompletedTask; });
            }
            catch (Exception e)
            {
                await _inbox.Writer.WriteAsync(() => { LaunchFailed(dyno, e); return Task.CompletedTask; });
            }
        }));
    }

    private void Launched(Running dyno, IDynoProcess process)
    {
        dyno.Launching = false;
        dyno.Process = process;
        WatchExit(dyno, process);
        if (dyno.Stopping)
        {
            // Stopped (restart, ps:stop, shut down) while it was being created: it goes now that it exists.
            StopProcess(dyno, process);
            return;
        }
        if (dyno.Type != "web") SetUp(dyno);
        else _ = WatchBootAsync(dyno, process);
        Kick();
    }

    /// <summary>
    /// A new web dyno joins the router as soon as it accepts connections, not at the next pass (up to
    /// <see cref="DynoSettings.ReconcileInterval"/> later): a deploy or scale-up is that much quicker. The pass still
    /// checks too, and owns R10.
    /// </summary>
    private async Task WatchBootAsync(Running dyno, IDynoProcess process)
    {
        var deadline = DateTimeOffset.UtcNow + timings.BootTimeout;
        while (!process.Exited.IsCompleted && DateTimeOffset.UtcNow < deadline)
        {
            if (await process.AcceptsConnectionsAsync(CancellationToken.None))
            {
                await _inbox.Writer.WriteAsync(() =>
                {
                    if (ReferenceEquals(dyno.Process, process) && dyno.State == "starting" && !dyno.Stopping) SetUp(dyno);
                    return Task.CompletedTask;
                });
                return;
            }
            await Task.Delay(20);
        }
    }

    private void LaunchFailed(Running dyno, Exception e)
    {
        dyno.Launching = false;
        if (dyno.Stopping || dyno.Retired)
        {
            _dynos.Remove(dyno);
            Kick();
            return;
        }
        Log(dyno, $"Error R99 (Platform error) -> Failed to launch the dyno: {e.Message}");
        Crashed(dyno, exitCode: null);
    }

    private void OnExit(Running dyno, IDynoProcess process, int exitCode)
    {
        if (!ReferenceEquals(dyno.Process, process)) return; // an earlier incarnation
        Log(dyno, $"Process exited with status {exitCode}");
        if (dyno.OneOff)
        {
            SetState(dyno, "complete");
            _dynos.Remove(dyno);
            Kick();
            return;
        }
        if (dyno.Stopping || dyno.Retired)
        {
            SetState(dyno, "down");
            if (dyno.Retired) _dynos.Remove(dyno);
            else
            {
                // Stopped on request (restart, ps:stop): start afresh on the next pass.
                _dynos.Remove(dyno);
            }
            Kick();
            return;
        }
        Crashed(dyno, exitCode);
    }

    private void Crashed(Running dyno, int? exitCode)
    {
        var now = clock.GetUtcNow();
        if (dyno.UpSince is { } up && now - up > timings.HealthyAfter) dyno.Crashes = 0;
        dyno.Crashes++;
        SetState(dyno, "crashed");
        // First crash: restart at once. Then 2, 4, 8… seconds, up to the cap; a new release starts over.
        var delay = dyno.Crashes == 1
            ? TimeSpan.Zero
            : TimeSpan.FromSeconds(Math.Min(timings.MaxRestartDelay.TotalSeconds, Math.Pow(2, dyno.Crashes - 1)));
        dyno.RestartAt = now + delay;
        Kick();
    }

    private async Task CheckBootsAsync(DateTimeOffset now, Dictionary<string, string> broken)
    {
        foreach (var dyno in _dynos.Where(d => d.State == "starting" && d.Type == "web" && d.Process is { Exited.IsCompleted: false } && !d.Stopping).ToList())
        {
            bool accepts;
            try { accepts = await dyno.Process!.AcceptsConnectionsAsync(CancellationToken.None); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                broken.TryAdd(dyno.AppId, $"Could not check whether {dyno.Name} accepts connections: {e.Message}");
                continue;
            }
            if (accepts)
            {
                SetUp(dyno);
            }
            else if (now - dyno.StartedAt > timings.BootTimeout)
            {
                Log(dyno, $"Error R10 (Boot timeout) -> Web process failed to bind to $PORT within {timings.BootTimeout.TotalSeconds:0} seconds of launch");
                Log(dyno, "Stopping process with SIGKILL");
                var process = dyno.Process!;
                dyno.Process = null; // its exit is no longer news: the dyno has crashed already
                _ = process.StopAsync(TimeSpan.Zero);
                Crashed(dyno, exitCode: null);
            }
        }
        foreach (var dyno in _dynos.Where(d => d.State == "up" && d.UpSince is { } up && now - up > timings.HealthyAfter)) dyno.Crashes = 0;
    }

    private void SetUp(Running dyno)
    {
        dyno.UpSince = clock.GetUtcNow();
        SetState(dyno, "up");
    }

    private void StopInBackground(Running dyno, bool replaceAfter)
    {
        if (dyno.Stopping) return;
        dyno.Stopping = true;
        if (dyno.Launching) return; // stopped as soon as it exists (Launched)
        if (dyno.Process is null || dyno.Process.Exited.IsCompleted)
        {
            _dynos.Remove(dyno);
            Kick();
            return;
        }
        StopProcess(dyno, dyno.Process);
    }

    private void StopProcess(Running dyno, IDynoProcess process)
    {
        _ = Task.Run(async () =>
        {
            // A web dyno leaves the route table at the end of this pass; requests already on their way get a moment to finish.
            if (dyno.Type == "web") await Task.Delay(timings.WebDrain);
            Log(dyno, "Stopping all processes with SIGTERM");
            var killed = await process.StopAsync(timings.StopGrace);
            if (killed)
            {
                Log(dyno, $"Error R12 (Exit timeout) -> At least one process failed to exit within {timings.StopGrace.TotalSeconds:0} seconds of SIGTERM");
                Log(dyno, "Stopping remaining processes with SIGKILL");
            }
        });
    }

    private void SetState(Running dyno, string state)
    {
        if (dyno.State == state) return;
        Log(dyno, $"State changed from {dyno.State} to {state}");
        dyno.State = state;
        dyno.UpdatedAt = clock.GetUtcNow();
    }

    private void Log(Running dyno, string message) => logplex.Publish(dyno.AppId, "heroku", dyno.Name, message);

    /// <summary>Publishes the router's view (by app id) and the dyno lists (immutable snapshots, read without locks).</summary>
    private void Publish(IReadOnlyDictionary<string, AppDesire> desired)
    {
        var routes = ImmutableDictionary.CreateBuilder<string, AppRoute>();
        var views = ImmutableDictionary.CreateBuilder<string, ImmutableArray<Dyno>>();
        foreach (var app in desired.Values)
        {
            var dynos = _dynos.Where(d => d.AppId == app.AppId).ToList();
            var web = dynos.Where(d => d.Type == "web" && !d.Stopping).ToList();
            var backends = web.Where(d => d.State == "up" && d.Process?.Address is not null)
                .Select(d => new Backend(d.Name, d.Process!.Address!)).ToList();
            var webWanted = app.Wants.Any(w => w.Type == "web" && w.Quantity > 0);
            var crashed = webWanted && backends.Count == 0 && web.Any(d => d.State == "crashed");
            routes[app.AppId] = new AppRoute(app.AppId, app.AppName, app.Maintenance, webWanted, crashed, backends);
            views[app.AppId] = dynos
                .Where(d => !d.Retired || d.State is "up" or "starting")
                .GroupBy(d => d.Name).Select(g => g.OrderBy(d => d.Retired).First())
                .OrderBy(d => d.Type, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal)
                .Select(View).ToImmutableArray();
        }
        Volatile.Write(ref _routes, routes.ToImmutable());
        Volatile.Write(ref _views, views.ToImmutable());
    }

    /// <summary>
    /// Every app with its current release's formation (quantities above zero), read fresh each pass, and the apps whose
    /// desired state cannot be read (with why). Those get their last good state, or one that holds their dynos, so that
    /// routes and dyno lists stay as they were.
    /// </summary>
    private (Dictionary<string, AppDesire> Desired, Dictionary<string, string> Broken) LoadDesired()
    {
        using var c = database.Open();
        var apps = c.Query<AppRow>($"""
            SELECT a.id, a.name, COALESCE(a.uid, 0) AS uid, a.maintenance, r.id AS release_id, r.version, r.slug_id, s.checksum, s.blob_state,
                   r.config_vars AS config
            FROM apps a
            LEFT JOIN releases r ON r.app_id = a.id AND r.version = {ReleaseStore.CurrentVersionOf("a.id")}
            LEFT JOIN slugs s ON s.id = r.slug_id
            """).ToList();
        var formations = c.Query<FormationRow>(
            "SELECT app_id, type, quantity, command, size FROM formations WHERE quantity > 0").ToLookup(f => f.AppId);
        var desired = new Dictionary<string, AppDesire>();
        var broken = new Dictionary<string, string>();
        foreach (var app in apps)
        {
            try
            {
                desired[app.Id] = _lastGood[app.Id] = Desire(app, formations[app.Id]);
            }
            catch (Exception e)
            {
                broken[app.Id] = e.Message;
                desired[app.Id] = _lastGood.GetValueOrDefault(app.Id)
                                  ?? new AppDesire(app.Id, app.Name, (int)app.Uid, app.Maintenance, null, 0, null, new Dictionary<string, string>(), []);
            }
        }
        foreach (var gone in _lastGood.Keys.Where(id => !desired.ContainsKey(id)).ToList()) _lastGood.Remove(gone);
        return (desired, broken);
    }

    /// <exception cref="InvalidDataException">The current release cannot run: its slug or config vars are not usable.</exception>
    private AppDesire Desire(AppRow app, IEnumerable<FormationRow> formations)
    {
        string? slugPath = null;
        if (app.SlugId is not null)
        {
            if (SlugReadiness.Problem(app.SlugId, app.BlobState, app.Checksum, slugs) is { } problem)
                throw new InvalidDataException($"Release v{app.Version} cannot run: {problem}");
            slugPath = slugs.PathFor(app.Checksum!);
        }
        IReadOnlyDictionary<string, string> config;
        try { config = app.Config is null ? new Dictionary<string, string>() : ConfigVarsJson.Deserialize(app.Config); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"Release v{app.Version} cannot run: its config vars cannot be read ({e.Message})"); }
        var wants = slugPath is null
            ? []
            : formations.Select(f => new Want(f.Type, (int)f.Quantity, f.Command, settings.DynoSizes.Find(f.Size) ?? settings.DynoSizes.DefaultSize)).ToList();
        return new AppDesire(app.Id, app.Name, (int)app.Uid, app.Maintenance, app.ReleaseId, app.Version ?? 0, slugPath, config, wants);
    }

    private sealed record AppRow
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public long Uid { get; init; }
        public bool Maintenance { get; init; }
        public string? ReleaseId { get; init; }
        public long? Version { get; init; }
        public string? SlugId { get; init; }
        public string? Checksum { get; init; }
        public string? BlobState { get; init; }
        public string? Config { get; init; }
    }

    private sealed record FormationRow
    {
        public string AppId { get; init; } = "";
        public string Type { get; init; } = "";
        public long Quantity { get; init; }
        public string Command { get; init; } = "";
        public string Size { get; init; } = "";
    }
}
