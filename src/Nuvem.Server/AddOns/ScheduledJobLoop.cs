using Nuvem.Platform.Operations;

namespace Nuvem.Server.AddOns;

/// <summary>Heroku Scheduler's clock: runs the due ticks (<see cref="RunScheduledJobs"/>) as soon as they are due, and
/// looks again at least every few seconds for jobs added or changed meanwhile. At start, a tick missed while nuvemd was
/// down is due at once and runs once.</summary>
public sealed class ScheduledJobLoop(RunScheduledJobs runner, TimeProvider clock, ILogger<ScheduledJobLoop> log) : BackgroundService
{
    private static readonly TimeSpan LookAgain = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = LookAgain;
            try
            {
                foreach (var dyno in await runner.RunDueAsync())
                    log.LogInformation("scheduler: started {Dyno} of {App}", dyno.Name, dyno.AppId);
                if (runner.NextDue() is { } next)
                {
                    var until = next - clock.GetUtcNow();
                    if (until < wait) wait = until < TimeSpan.FromMilliseconds(200) ? TimeSpan.FromMilliseconds(200) : until;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e) { log.LogError(e, "scheduler: a round of scheduled jobs failed"); }
            try { await Task.Delay(wait, clock, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}
