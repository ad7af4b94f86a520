using System.Diagnostics;
using System.Globalization;

namespace Nuvem.Platform.AddOns.Postgres.Backups;

/// <summary>What a capture made: the dump, and the tables and row counts of the snapshot it was taken from.</summary>
public sealed record PgDumpResult(string Path, long Bytes, long SourceBytes, SortedDictionary<string, long> Counts);

/// <summary>What a test restore found; <see cref="Verified"/> only if everything matched.</summary>
public sealed record PgVerification(bool Verified, string Summary);

/// <summary>
/// pg_dump, the test restore and pg_restore, run by the platform (root) with the cluster's own programs as the
/// superuser over the private unix socket (peer authentication: no password anywhere). Dumps are written by root into
/// backups/&lt;database&gt;/ (root 0700) under a .partial name and renamed when complete.
/// </summary>
public sealed class PostgresBackupEngine(PostgresCluster cluster)
{
    public const string ScratchPrefix = "nuvem_verify_";
    private readonly PostgresBackupStore _store = new(cluster);

    public PostgresBackupStore Store => _store;

    public string DirectoryOf(string database)
    {
        var directory = Path.Combine(cluster.Layout.Backups, database);
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return directory;
    }

    public string PathOf(string database, string file) => Path.Combine(cluster.Layout.Backups, database, file);

    /// <summary>Dumps <paramref name="database"/> (custom format) into <paramref name="file"/>, counting every table's
    /// rows in the very snapshot pg_dump reads (exported by a transaction held open until the dump is done).</summary>
    public async Task<PgDumpResult> DumpAsync(string database, string file, Action<string> log, CancellationToken cancellation)
    {
        var path = Path.Combine(DirectoryOf(database), file);
        var partial = path + ".partial";
        var sourceBytes = await _store.DatabaseSizeAsync(database, cancellation);
        var (connection, transaction, snapshot) = await _store.ExportSnapshotAsync(database, cancellation);
        SortedDictionary<string, long> counts;
        await using (connection)
        await using (transaction)
        {
            counts = await PostgresBackupStore.TableCountsAsync(connection, transaction, cancellation);
            log($"snapshot {snapshot}: {counts.Count} tables, {counts.Values.Sum()} rows");
            PostgresProcesses.Result result;
            try
            {
                result = await RunAsync(cluster.Binaries.PgDump,
                    [.. Socket(), "-Fc", "--no-password", $"--snapshot={snapshot}", "-f", partial, "-d", database], cancellation);
            }
            catch
            {
                File.Delete(partial); // cancelled: pg_dump was killed
                throw;
            }
            if (!result.Succeeded)
            {
                File.Delete(partial);
                throw new InvalidOperationException($"pg_dump failed: {result.Message}");
            }
        }
        File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(partial, path, overwrite: true);
        var bytes = new FileInfo(path).Length;
        log($"pg_dump wrote {bytes} bytes ({sourceBytes} bytes in the database)");
        return new PgDumpResult(path, bytes, sourceBytes, counts);
    }

    /// <summary>
    /// Restores <paramref name="path"/> into a new scratch database with <c>pg_restore --exit-on-error</c>, then compares:
    /// the same user tables (schema.name) as the dumped snapshot, each with the same exact row count. The restore runs as
    /// <paramref name="role"/> (the app's role, by <c>--role</c>; the scratch database is its own, which pg_hba still keeps
    /// it from opening), never with the superuser's rights: a dump holds the tenant's functions, and a CHECK constraint
    /// or a generated column would run them while the rows load. The scratch database is dropped afterwards whatever happened.
    /// </summary>
    public async Task<PgVerification> VerifyAsync(string path, IReadOnlyDictionary<string, long> expected, string role, CancellationToken cancellation)
    {
        var scratch = ScratchPrefix + Guid.NewGuid().ToString("N")[..16];
        try
        {
            await _store.CreateScratchAsync(scratch, role, cancellation);
            var restored = await RunAsync(cluster.Binaries.PgRestore,
                [.. Socket(), "--no-password", "--exit-on-error", "--no-owner", "--no-acl", $"--role={role}", "-d", scratch, path], cancellation);
            if (!restored.Succeeded) return new(false, $"the test restore failed: {restored.Message}");
            SortedDictionary<string, long> counts;
            await using (var connection = _store.Connect(scratch))
            {
                await connection.OpenAsync(cancellation);
                counts = await PostgresBackupStore.TableCountsAsync(connection, null, cancellation);
            }
            return Compare(expected, counts);
        }
        finally
        {
            await _store.DropScratchAsync(scratch, CancellationToken.None);
        }
    }

    /// <summary>The verification rule: the same tables, each with the same number of rows.</summary>
    public static PgVerification Compare(IReadOnlyDictionary<string, long> expected, IReadOnlyDictionary<string, long> restored)
    {
        var missing = expected.Keys.Except(restored.Keys).ToList();
        var extra = restored.Keys.Except(expected.Keys).ToList();
        var differing = expected.Where(e => restored.TryGetValue(e.Key, out var n) && n != e.Value)
            .Select(e => $"{e.Key} has {restored[e.Key]} rows, not {e.Value}").ToList();
        var problems = missing.Select(t => $"{t} is missing").Concat(extra.Select(t => $"{t} was not in the database")).Concat(differing).ToList();
        return problems.Count == 0
            ? new(true, $"test restore matched: {expected.Count} tables, {expected.Values.Sum()} rows")
            : new(false, "the test restore does not match: " + string.Join("; ", problems.Take(5)));
    }

    /// <summary>
    /// Replaces the content of <paramref name="database"/> with the dump: its role may not log in meanwhile, its sessions
    /// end, what it owns is dropped, then pg_restore (as the superuser, <c>--role</c> the app's role, <c>--no-owner</c>)
    /// recreates everything owned by that role, in one transaction.
    /// </summary>
    public async Task RestoreAsync(string path, string database, Action<string> log, CancellationToken cancellation)
    {
        await _store.BeginRestoreAsync(database, cancellation);
        try
        {
            log($"sessions of {database} ended, its objects dropped");
            var result = await RunAsync(cluster.Binaries.PgRestore,
                [.. Socket(), "--no-password", "--exit-on-error", "--single-transaction", "--no-owner", "--no-acl",
                 $"--role={database}", "-d", database, path], cancellation);
            if (!result.Succeeded) throw new InvalidOperationException($"pg_restore failed: {result.Message}");
        }
        finally
        {
            await _store.EndRestoreAsync(database, CancellationToken.None);
        }
        log("pg_restore finished");
    }

    private string[] Socket() =>
        ["-h", cluster.Layout.SocketDirectory, "-p", cluster.Settings.Port.ToString(CultureInfo.InvariantCulture), "-U", PostgresConfigFiles.Superuser];

    /// <summary>Like <see cref="PostgresProcesses.RunAsync"/>, but a cancelled run kills the program.</summary>
    private async Task<PostgresProcesses.Result> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = cluster.Layout.Backups,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        start.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try { await process.WaitForExitAsync(cancellation); }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }
        return new PostgresProcesses.Result(process.ExitCode, await output, await error);
    }
}
