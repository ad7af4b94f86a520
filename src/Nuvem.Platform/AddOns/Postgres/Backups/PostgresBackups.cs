using System.Collections.Concurrent;

namespace Nuvem.Platform.AddOns.Postgres.Backups;

/// <summary>
/// Backups of heroku-postgresql add-ons and restores of them: each is recorded as a transfer, then run in the
/// background one at a time (a capture: dump → test restore → retention; a restore: replace the database's content).
/// The CLI polls the transfer until it has finished.
/// </summary>
public sealed class PostgresBackups(PgTransferStore store, PostgresBackupEngine engine, PostgresCluster cluster, TimeProvider clock,
    Action<string>? log = null)
{
    private readonly Action<string> _log = log ?? (line => Console.Error.WriteLine(line));
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly ConcurrentDictionary<string, (Task Task, CancellationTokenSource Cancel)> _running = new();

    public PgTransferStore Store => store;
    public PostgresBackupEngine Engine => engine;

    /// <summary>Starts a capture of the add-on's database.</summary>
    public PgTransfer Capture(AddOn addOn, bool scheduled = false)
    {
        Usable(addOn);
        var transfer = store.Insert(addOn.AppId, PgTransferKinds.Backup, scheduled, addOn, null, null, clock.GetUtcNow());
        Start(transfer, cancel => BackupAsync(transfer, addOn.Plan, cancel));
        return transfer;
    }

    /// <summary>Starts a restore of <paramref name="backup"/> into <paramref name="target"/>'s database.</summary>
    public async Task<PgTransfer> RestoreAsync(AddOn target, PgTransfer backup, CancellationToken cancellation)
    {
        Usable(target);
        if (!backup.IsBackup || backup.Succeeded != true || backup.File is null)
            throw PlatformException.Invalid($"Backup {backup.Name} did not complete successfully (or was not verified): it cannot be restored.");
        if (!File.Exists(engine.PathOf(backup.Database, backup.File)))
            throw PlatformException.Invalid($"The dump of backup {backup.Name} is gone.");
        var record = await cluster.Admin.FindByNameAsync(target.ProviderId!, cancellation)
            ?? throw PlatformException.NotFound("add-on", $"No database for {target.Name} in the cluster.");
        if (record.ReadOnly)
            throw PlatformException.Invalid($"{target.Name} is over its plan's size and read-only: upgrade the plan or delete data before restoring.");
        var transfer = store.Insert(target.AppId, PgTransferKinds.Restore, false, target, backup.Id, backup.Name, clock.GetUtcNow());
        Start(transfer, cancel => RestoreRunAsync(transfer, backup, cancel));
        return transfer;
    }

    /// <summary>Stops a transfer that has not finished (a running pg_dump or pg_restore is killed).</summary>
    public void Cancel(PgTransfer transfer)
    {
        if (transfer.Finished) throw PlatformException.Invalid($"{transfer.Name} has finished already.");
        if (_running.TryGetValue(transfer.Id, out var running)) running.Cancel.Cancel();
        else store.Finished(transfer.Id, false, null, "canceled", clock.GetUtcNow(), canceled: true);
    }

    /// <summary>Removes a finished backup and its dump (or a finished restore's record).</summary>
    public void Delete(PgTransfer transfer)
    {
        if (!transfer.Finished) throw new PlatformException(ErrorKind.Conflict, "conflict", $"{transfer.Name} is still running: cancel it first.");
        if (transfer.File is not null) File.Delete(engine.PathOf(transfer.Database, transfer.File));
        store.Delete(transfer.Id);
    }

    /// <summary>
    /// Starts the scheduled captures due at <paramref name="now"/> (prefix a) and moves each schedule to its next day.
    /// A run missed while the platform was down happens once at the next round, not once per missed day.
    /// </summary>
    public IReadOnlyList<PgTransfer> RunDue(DateTimeOffset now, Func<string, AddOn?> addOnOf)
    {
        var started = new List<PgTransfer>();
        foreach (var schedule in store.Due(now))
        {
            store.SetNextRun(schedule.Id, PgBackupRules.NextRun(schedule.Hour, TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone), now));
            if (addOnOf(schedule.AddOnId) is not { State: AddOnStates.Provisioned } addOn) continue;
            try { started.Add(Capture(addOn, scheduled: true)); }
            catch (PlatformException e) { _log($"postgres: the scheduled backup of {addOn.Name} did not start: {e.Message}"); }
        }
        return started;
    }

    /// <summary>Waits for a transfer started by this process (tests; the scheduler).</summary>
    public Task WaitAsync(string id) => _running.TryGetValue(id, out var running) ? running.Task : Task.CompletedTask;

    /// <summary>
    /// After a restart: transfers a stopped nuvemd left unfinished fail; the role of a database whose restore was cut
    /// short may log in again; scratch databases and partial dumps go. Needs the cluster to answer when there is one.
    /// </summary>
    /// <returns>False when the cluster exists but does not answer yet (call again).</returns>
    public async Task<bool> RecoverAsync(CancellationToken cancellation)
    {
        var clusterUp = cluster.Layout.Initialized && await cluster.AnswersAsync(cancellation);
        if (cluster.Layout.Initialized && !clusterUp) return false;
        foreach (var transfer in store.Unfinished().Where(t => !_running.ContainsKey(t.Id)))
        {
            if (!transfer.IsBackup && clusterUp && transfer.StartedAt is not null) await engine.Store.EndRestoreAsync(transfer.Database, cancellation);
            store.Finished(transfer.Id, false, false, "interrupted: the platform stopped while it ran", clock.GetUtcNow());
            _log($"postgres: {transfer.Name} of app {transfer.AppId} was interrupted by a restart");
        }
        if (!clusterUp) return true;
        foreach (var scratch in await engine.Store.ScratchDatabasesAsync(PostgresBackupEngine.ScratchPrefix, cancellation))
            await engine.Store.DropScratchAsync(scratch, cancellation);
        if (Directory.Exists(cluster.Layout.Backups))
            foreach (var partial in Directory.EnumerateFiles(cluster.Layout.Backups, "*.partial", SearchOption.AllDirectories)) File.Delete(partial);
        return true;
    }

    /// <summary>
    /// Removes dumps whose backup is no longer recorded (its app was destroyed: the records went with it). The backups of
    /// a destroyed add-on whose app lives on stay listed and restorable into another database until deleted.
    /// </summary>
    public IReadOnlyList<string> SweepOrphans()
    {
        if (!Directory.Exists(cluster.Layout.Backups)) return [];
        var known = store.Files();
        var removed = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories(cluster.Layout.Backups))
        {
            var database = Path.GetFileName(directory);
            foreach (var dump in Directory.EnumerateFiles(directory, "*.dump"))
            {
                if (known.Contains((database, Path.GetFileName(dump)))) continue;
                File.Delete(dump);
                removed.Add(dump);
            }
            if (!Directory.EnumerateFileSystemEntries(directory).Any()) Directory.Delete(directory);
        }
        return removed;
    }

    private static void Usable(AddOn addOn)
    {
        if (addOn.Service != PostgresPlans.Service) throw PlatformException.Invalid($"{addOn.Name} is not a {PostgresPlans.Service} database.");
        if (addOn.State != AddOnStates.Provisioned || addOn.ProviderId is null)
            throw PlatformException.NotFound("add-on", $"{addOn.Name} is not yet provisioned.");
    }

    private void Start(PgTransfer transfer, Func<CancellationToken, Task> work)
    {
        var cancel = new CancellationTokenSource();
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = Task.Run(async () =>
        {
            await registered.Task; // so that the entry below exists before the work can remove it
            try
            {
                await _one.WaitAsync(cancel.Token);
                try { await work(cancel.Token); }
                finally { _one.Release(); }
            }
            catch (OperationCanceledException)
            {
                Log(transfer, "canceled");
                store.Finished(transfer.Id, false, false, "canceled", clock.GetUtcNow(), canceled: true);
            }
            catch (Exception e)
            {
                Log(transfer, "failed: " + e.Message);
                store.Finished(transfer.Id, false, false, e.Message, clock.GetUtcNow());
                _log($"postgres: {transfer.Name} of {transfer.AddOnName} failed: {e.Message}");
            }
            finally
            {
                _running.TryRemove(transfer.Id, out _);
                cancel.Dispose();
            }
        });
        _running[transfer.Id] = (task, cancel);
        registered.SetResult();
    }

    private async Task BackupAsync(PgTransfer transfer, string plan, CancellationToken cancellation)
    {
        store.Started(transfer.Id, clock.GetUtcNow());
        Log(transfer, $"backup of {transfer.AddOnName} started");
        var dump = await engine.DumpAsync(transfer.Database, transfer.File!, line => Log(transfer, line), cancellation);
        store.Sizes(transfer.Id, dump.SourceBytes, dump.Bytes);
        var verification = await engine.VerifyAsync(dump.Path, dump.Counts, transfer.Database, cancellation);
        Log(transfer, (verification.Verified ? "verified: " : "NOT verified: ") + verification.Summary);
        store.Finished(transfer.Id, verification.Verified, verification.Verified, verification.Verified ? null : verification.Summary, clock.GetUtcNow());
        _log($"postgres: {transfer.Name} of {transfer.AddOnName}: {verification.Summary}");
        ApplyRetention(transfer.AddOnId, transfer.Scheduled, plan);
    }

    private async Task RestoreRunAsync(PgTransfer transfer, PgTransfer backup, CancellationToken cancellation)
    {
        store.Started(transfer.Id, clock.GetUtcNow());
        var path = engine.PathOf(backup.Database, backup.File!);
        Log(transfer, $"restore of {backup.Name} into {transfer.AddOnName} started");
        store.Sizes(transfer.Id, new FileInfo(path).Length, new FileInfo(path).Length);
        await engine.RestoreAsync(path, transfer.Database, line => Log(transfer, line), cancellation);
        Log(transfer, $"restore of {backup.Name} finished");
        store.Finished(transfer.Id, true, null, null, clock.GetUtcNow());
    }

    /// <summary>Drops the backups of the add-on's kind (manual or scheduled) that <see cref="PgBackupRules.Expired"/> names.</summary>
    public void ApplyRetention(string addOnId, bool scheduled, string plan)
    {
        var keep = scheduled ? PgBackupRules.ScheduledKept : PgBackupRules.ManualKept(plan);
        foreach (var old in PgBackupRules.Expired(store.BackupsOf(addOnId).Where(b => b.Scheduled == scheduled), keep))
        {
            Delete(old);
            _log($"postgres: removed {old.Name} of {old.AddOnName} (retention: {keep} {(scheduled ? "scheduled" : "manual")} backups)");
        }
    }

    private void Log(PgTransfer transfer, string message) => store.Log(transfer.Id, new PgTransferLog(clock.GetUtcNow(), message));
}
