using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Logplex;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// Has the runtime create dynos, and turns what then happens to them (created, failed to launch, exited, adopted after
/// a platform restart) into messages for the loop.
/// </summary>
internal sealed class DynoLauncher(IDynoRuntime runtime, ILogplex logplex, TimeProvider clock, DynoTable dynos, SchedulerInbox inbox,
    CrashPolicy crashes, BootWatch boots, DynoStopper stopper)
{
    private readonly List<Task> _launches = [];

    /// <summary>
    /// Takes over the dynos a previous platform process left running (a crash, an upgrade): formation dynos and
    /// detached one-offs carry on as if nothing happened, so the next pass finds them and starts no duplicates.
    /// A release phase's dyno is not adopted: its caller is gone, and the release stays pending.
    /// </summary>
    public async Task AdoptAsync()
    {
        var adopted = await runtime.RecoverAsync(spec => spec.Type == "release" ? null : OutputOf(spec.AppId, spec.Name));
        var now = clock.GetUtcNow();
        foreach (var (spec, process, startedAt) in adopted)
        {
            var dyno = new ScheduledDyno
            {
                Id = spec.Id, AppId = spec.AppId, Name = spec.Name, Type = spec.Type, Command = spec.Command, Size = spec.Size.Name,
                ReleaseId = spec.ReleaseId, ReleaseVersion = spec.ReleaseVersion, OneOff = spec.Type is "run" or "scheduler",
                Process = process, StartedAt = startedAt, UpdatedAt = now, State = "up", UpSince = now,
            };
            dynos.Add(dyno);
            WatchExit(dyno, process);
        }
    }

    /// <summary>A dyno's lines to the app's log: what it writes as <c>app[web.1]</c>, the runtime's notices as <c>heroku[web.1]</c>.</summary>
    public DynoOutput OutputOf(string appId, string name) => new(
        line => { logplex.Publish(appId, "app", name, line); return Task.CompletedTask; },
        notice => logplex.Publish(appId, "heroku", name, notice),
        () => logplex.FlushAsync(),
        (line, at) => { logplex.Publish(appId, "app", name, line, at); return Task.CompletedTask; });

    /// <summary>A new formation dyno of the app's current release, named <paramref name="name"/> (<c>web.1</c>).</summary>
    public ScheduledDyno? Start(DesiredApp app, string name, DesiredProcess want)
    {
        if (app.Slug is null || app.ReleaseId is null) return null;
        var dyno = new ScheduledDyno
        {
            Id = Guid.NewGuid().ToString(), AppId = app.AppId, Name = name, Type = want.Type, Command = want.Command,
            Size = want.Size.Name, ReleaseId = app.ReleaseId, ReleaseVersion = app.ReleaseVersion,
        };
        dynos.Add(dyno);
        Launch(app, dyno, want);
        return dyno;
    }

    public void RestartCrashed(DesiredApp app, ScheduledDyno dyno, DesiredProcess want)
    {
        dyno.RestartAt = null;
        Launch(app, dyno, want);
    }

    /// <summary>
    /// Has the runtime create the dyno off the loop: a container takes a while (a slug to unpack, a network to wire),
    /// and API calls and other apps' dynos need not wait for it. The outcome comes back as a message.
    /// </summary>
    private void Launch(DesiredApp app, ScheduledDyno dyno, DesiredProcess want)
    {
        dyno.StartedAt = clock.GetUtcNow();
        dynos.SetState(dyno, "starting");
        dyno.UpSince = null;
        dynos.Log(dyno, $"Starting process with command `{want.Command}`");
        var spec = new DynoSpec(dyno.Id, app.AppId, app.AppName, app.Uid, dyno.Name, dyno.Type, dyno.Command,
            dyno.ReleaseId, dyno.ReleaseVersion, app.Slug!, want.Size, app.ConfigVars);
        var output = OutputOf(app.AppId, dyno.Name);
        dyno.Launching = true;
        _launches.Add(Task.Run(async () =>
        {
            try
            {
                var process = await runtime.StartAsync(spec, output, CancellationToken.None);
                inbox.Post(() => Launched(dyno, process));
            }
            catch (Exception e)
            {
                inbox.Post(() => LaunchFailed(dyno, e));
            }
        }));
    }

    private void Launched(ScheduledDyno dyno, IDynoProcess process)
    {
        dyno.Launching = false;
        dyno.Process = process;
        WatchExit(dyno, process);
        if (dyno.Stopping)
        {
            // Stopped (restart, ps:stop, shut down) while it was being created: it goes now that it exists.
            stopper.StopProcess(dyno, process);
            return;
        }
        if (dyno.Type != "web") dynos.SetUp(dyno);
        else _ = boots.WatchAsync(dyno, process);
        inbox.Kick();
    }

    private void LaunchFailed(ScheduledDyno dyno, Exception e)
    {
        dyno.Launching = false;
        if (dyno.Stopping || dyno.Retired)
        {
            dynos.Remove(dyno);
            inbox.Kick();
            return;
        }
        dynos.Log(dyno, $"Error R99 (Platform error) -> Failed to launch the dyno: {e.Message}");
        crashes.Crashed(dyno);
    }

    /// <summary>The process's exit becomes a message; a runtime that lost track of its dyno (a faulted watch) reports it
    /// gone, as a crash.</summary>
    public void WatchExit(ScheduledDyno dyno, IDynoProcess process) =>
        _ = process.Exited.ContinueWith(exited => inbox.Post(() => OnExit(dyno, process, exited.IsCompletedSuccessfully ? exited.Result : 255)),
            TaskScheduler.Default);

    private void OnExit(ScheduledDyno dyno, IDynoProcess process, int exitCode)
    {
        if (!ReferenceEquals(dyno.Process, process)) return; // an earlier incarnation
        dynos.Log(dyno, $"Process exited with status {exitCode}");
        if (dyno.OneOff)
        {
            dynos.SetState(dyno, "complete");
            dynos.Remove(dyno);
            inbox.Kick();
            return;
        }
        if (dyno.Stopping || dyno.Retired)
        {
            dynos.SetState(dyno, "down");
            // Retired, it is gone; stopped on request (restart, ps:stop), it starts afresh on the next pass.
            dynos.Remove(dyno);
            inbox.Kick();
            return;
        }
        crashes.Crashed(dyno);
    }

    /// <summary>Forgets launches that are over (their outcome is a message already).</summary>
    public void ForgetFinished() => _launches.RemoveAll(t => t.IsCompleted);

    /// <summary>Dynos still being created are waited for (their results are messages), so that none is left running.</summary>
    public Task WaitForLaunchesAsync() => Task.WhenAll(_launches);
}
