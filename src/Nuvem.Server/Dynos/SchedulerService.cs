using Nuvem.Platform.Dynos.Scheduling;

namespace Nuvem.Server.Dynos;

/// <summary>Runs the local scheduler's loop for the life of the server; on shutdown it stops dynos gracefully.</summary>
public sealed class SchedulerService(LocalScheduler scheduler) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => scheduler.RunAsync(stoppingToken);
}
