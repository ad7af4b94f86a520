using Nuvem.Platform.Dynos;

namespace Nuvem.Server.Dynos;

/// <summary>Runs the dyno manager's loop for the life of the server; on shutdown the manager stops dynos gracefully.</summary>
public sealed class DynoManagerService(DynoManager manager) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => manager.RunAsync(stoppingToken);
}
