using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// Stops dynos as Heroku does: a web dyno first leaves the router and drains for <see cref="DynoSettings.WebDrain"/>,
/// then every process gets SIGTERM, and what is still running after <see cref="DynoSettings.StopGrace"/> gets SIGKILL
/// (R12). Off the loop: a dyno taking its time to stop holds up nothing else.
/// </summary>
internal sealed class DynoStopper(DynoSettings timings, TimeProvider clock, DynoTable dynos, SchedulerInbox inbox)
{
    /// <summary>Stops a dyno on purpose (its exit is then no crash); one still being created stops once it exists.</summary>
    public void StopInBackground(ScheduledDyno dyno)
    {
        if (dyno.Stopping) return;
        dyno.Stopping = true;
        if (dyno.Launching) return; // stopped as soon as it exists (DynoLauncher.Launched)
        if (dyno.Process is null || dyno.Process.Exited.IsCompleted)
        {
            dynos.Remove(dyno);
            inbox.Kick();
            return;
        }
        StopProcess(dyno, dyno.Process);
    }

    public void StopProcess(ScheduledDyno dyno, IDynoProcess process)
    {
        _ = Task.Run(async () =>
        {
            // A web dyno leaves the route table at the end of this pass; requests already on their way get a moment to finish.
            if (dyno.Type == "web") await Task.Delay(timings.WebDrain, clock);
            dynos.Log(dyno, "Stopping all processes with SIGTERM");
            var killed = await process.StopAsync(timings.StopGrace);
            if (killed)
            {
                dynos.Log(dyno, $"Error R12 (Exit timeout) -> At least one process failed to exit within {timings.StopGrace.TotalSeconds:0} seconds of SIGTERM");
                dynos.Log(dyno, "Stopping remaining processes with SIGKILL");
            }
        });
    }
}
