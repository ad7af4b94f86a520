using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Postgres.Backups;

namespace Nuvem.Server.AddOns;

/// <summary>
/// Daily backups: at start, fails the transfers a stopped nuvemd left unfinished (and drops their scratch databases);
/// then every 30 s starts the scheduled captures that are due (<see cref="PostgresBackups.RunDue"/>);
/// hourly removes the dumps of destroyed apps.
/// </summary>
public sealed class PostgresBackupScheduler(PostgresBackups backups, AddOnStore addOns, ILogger<PostgresBackupScheduler> log) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recovered = false;
        var nextSweep = DateTime.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!recovered) recovered = await backups.RecoverAsync(stoppingToken);
                if (DateTime.UtcNow >= nextSweep)
                {
                    foreach (var removed in backups.SweepOrphans()) log.LogInformation("postgres: removed the dump {File} of a destroyed app", removed);
                    nextSweep = DateTime.UtcNow.AddHours(1);
                }
                foreach (var started in backups.RunDue(DateTimeOffset.UtcNow, addOns.Find))
                    log.LogInformation("postgres: scheduled backup {Name} of {AddOn} started", started.Name, started.AddOnName);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e) { log.LogError(e, "postgres: backup schedule round failed"); }
            try { await Task.Delay(Every, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}
