using Nuvem.Platform.Logplex;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// One pass over every app: starts what is missing, restarts crashed dynos whose cool-off is over, stops what is
/// extra, and replaces dynos of an older release — new web dynos first, old ones only once the new ones are up, so
/// a deploy drops no requests.
/// </summary>
internal sealed class Reconciler(DesiredStateReader desiredState, DynoTable dynos, DynoLauncher launcher, DynoStopper stopper,
    BootWatch boots, RoutePublisher publisher, ILogplex logplex, TimeProvider clock)
{
    /// <summary>The platform errors already written to each app's log, so a broken app says so once, not every pass.</summary>
    private readonly Dictionary<string, HashSet<string>> _reported = new();

    /// <summary>
    /// Each app is reconciled on its own: an app whose desired state cannot be read or acted on (a slug gone from the
    /// store, unreadable config vars, a runtime refusing it) keeps its dynos as they are, gets one
    /// <c>heroku[manager]: Error R99</c> line per distinct error, and is retried on the next pass; every other app goes on.
    /// </summary>
    public async Task PassAsync()
    {
        var (desired, broken) = desiredState.Read();
        var now = clock.GetUtcNow();

        foreach (var app in desired.Values.Where(a => !broken.ContainsKey(a.AppId)))
        {
            try { StartWanted(app, now); }
            catch (Exception e) { broken[app.AppId] = e.Message; }
        }

        // Dynos of apps, process types or indexes no longer wanted, and retired dynos whose successor is ready. A broken
        // app's are left alone: what it wants is unknown, and stopping a running app for a platform error would be worse.
        foreach (var dyno in dynos.All.Where(d => !d.OneOff && !broken.ContainsKey(d.AppId)).ToList())
        {
            try { RetireIfUnwanted(dyno, desired); }
            catch (Exception e) { broken[dyno.AppId] = e.Message; }
        }

        launcher.ForgetFinished();
        await boots.CheckAsync(now, broken);
        Report(broken);
        publisher.Publish(desired);
    }

    private void StartWanted(DesiredApp app, DateTimeOffset now)
    {
        foreach (var want in app.Processes)
        {
            for (var index = 1; index <= want.Quantity; index++)
            {
                var name = $"{want.Type}.{index}";
                var current = dynos.All.Where(d => d.AppId == app.AppId && d.Name == name && !d.Retired).ToList();
                var matching = current.FirstOrDefault(d => d.ReleaseId == app.ReleaseId && d.Command == want.Command && d.Size == want.Size.Name);
                if (matching is null)
                {
                    var started = launcher.Start(app, name, want);
                    // The old dyno of this name goes once its successor is up (web) or started (others).
                    foreach (var old in current) old.Retired = true;
                    if (started is null) continue;
                }
                else if (CrashPolicy.DueForRestart(matching, now))
                {
                    launcher.RestartCrashed(app, matching, want);
                }
            }
        }
    }

    private void RetireIfUnwanted(ScheduledDyno dyno, IReadOnlyDictionary<string, DesiredApp> desired)
    {
        desired.TryGetValue(dyno.AppId, out var app);
        var want = app?.Processes.FirstOrDefault(w => w.Type == dyno.Type);
        var wanted = app is not null && want is not null && dyno.Index <= want.Quantity;
        if (!wanted && !dyno.Retired)
        {
            dyno.Retired = true;
        }
        if (!dyno.Retired || dyno.Stopping || dyno.Launching) return;
        var successor = dynos.All.FirstOrDefault(d => d.AppId == dyno.AppId && d.Name == dyno.Name && !d.Retired);
        var successorReady = successor is null || successor.State is "up" or "crashed" || successor.Type != "web";
        if (!wanted || successorReady)
        {
            if (dyno.Process is null || dyno.Process.Exited.IsCompleted) dynos.Remove(dyno);
            else stopper.StopInBackground(dyno);
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
}
