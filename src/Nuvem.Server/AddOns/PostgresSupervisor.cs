using Nuvem.Platform.AddOns.Postgres;

namespace Nuvem.Server.AddOns;

/// <summary>
/// Keeps the platform's Postgres cluster up for the life of nuvemd: adopts (or starts) a cluster that exists when nuvemd
/// starts, checks it every few seconds and restarts it when it is gone, compares databases with their plan's size every
/// minute (<see cref="PostgresSizeWatch"/>), sweeps expired final backups hourly. A cluster
/// that does not exist yet is made by the first provision. When nuvemd stops, the cluster keeps running on purpose (as
/// dynos do): apps keep their database while the platform restarts; <c>nuvemd --stop-dynos</c> stops it.
/// </summary>
public sealed class PostgresSupervisor(PostgresCluster cluster, PostgresFinalBackups backups, PostgresSizeWatch sizes,
    ILogger<PostgresSupervisor> log) : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SizesEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (nextSweep, nextSizes) = (DateTime.UtcNow, DateTime.UtcNow);
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                bool up;
                if (first && cluster.Layout.Initialized)
                {
                    // Adopts a running server (rewriting its configuration as this nuvemd has it, then reloading) or starts it.
                    var adopted = cluster.PostmasterPid();
                    await cluster.EnsureRunningAsync(stoppingToken);
                    log.LogInformation("postgres: the cluster is running (pid {Pid}, {How})", cluster.PostmasterPid(), adopted is null ? "started" : "adopted");
                    up = true;
                }
                else up = await cluster.SuperviseAsync(stoppingToken);
                first = false;
                if (up && DateTime.UtcNow >= nextSizes)
                {
                    nextSizes = DateTime.UtcNow + SizesEvery;
                    await sizes.CheckAsync(stoppingToken);
                }
                if (DateTime.UtcNow >= nextSweep)
                {
                    foreach (var removed in backups.Sweep()) log.LogInformation("postgres: removed the expired final backup {File}", removed);
                    nextSweep = DateTime.UtcNow + SweepEvery;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                log.LogError(e, "postgres: supervision round failed");
            }
            try { await Task.Delay(CheckEvery, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        if (cluster.PostmasterPid() is { } pid)
            Console.Error.WriteLine($"postgres: leaving the cluster running (pid {pid}) for the next nuvemd to adopt");
        return base.StopAsync(cancellationToken);
    }
}
