using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// A web dyno is up once it accepts connections on $PORT; one that does not within <see cref="DynoSettings.BootTimeout"/>
/// of launch is killed and crashes (Heroku's R10). Other process types are up as soon as they run.
/// </summary>
internal sealed class BootWatch(DynoSettings timings, TimeProvider clock, DynoTable dynos, CrashPolicy crashes, SchedulerInbox inbox)
{
    /// <summary>How often a booting web dyno is probed between passes.</summary>
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// A new web dyno joins the router as soon as it accepts connections, not at the next pass (up to
    /// <see cref="DynoSettings.ReconcileInterval"/> later): a deploy or scale-up is that much quicker. The pass still
    /// checks too (<see cref="CheckAsync"/>), and owns R10.
    /// </summary>
    public async Task WatchAsync(ScheduledDyno dyno, IDynoProcess process)
    {
        var deadline = clock.GetUtcNow() + timings.BootTimeout;
        while (!process.Exited.IsCompleted && clock.GetUtcNow() < deadline)
        {
            if (await process.AcceptsConnectionsAsync(CancellationToken.None))
            {
                inbox.Post(() =>
                {
                    if (ReferenceEquals(dyno.Process, process) && dyno.State == "starting" && !dyno.Stopping) dynos.SetUp(dyno);
                });
                return;
            }
            await Task.Delay(ProbeInterval, clock);
        }
    }

    /// <summary>Each pass: booting web dynos that accept connections are up; those past the boot timeout get R10.</summary>
    /// <param name="broken">Where an app whose dyno cannot even be probed is reported (R99), by app id.</param>
    public async Task CheckAsync(DateTimeOffset now, Dictionary<string, string> broken)
    {
        foreach (var dyno in dynos.All.Where(d => d.State == "starting" && d.Type == "web" && d.Process is { Exited.IsCompleted: false } && !d.Stopping).ToList())
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
                dynos.SetUp(dyno);
            }
            else if (now - dyno.StartedAt > timings.BootTimeout)
            {
                dynos.Log(dyno, $"Error R10 (Boot timeout) -> Web process failed to bind to $PORT within {timings.BootTimeout.TotalSeconds:0} seconds of launch");
                dynos.Log(dyno, "Stopping process with SIGKILL");
                var process = dyno.Process!;
                dyno.Process = null; // its exit is no longer news: the dyno has crashed already
                _ = process.StopAsync(TimeSpan.Zero);
                crashes.Crashed(dyno);
            }
        }
        crashes.ForgiveHealthy(now);
    }
}
