namespace Nuvem.Platform.AddOns.Postgres.Backups;

public static class PgTransferKinds
{
    public const string Backup = "backup";
    public const string Restore = "restore";
}

/// <summary>One line of a transfer's log (Heroku's <c>logs: [{created_at, message}]</c>).</summary>
public sealed record PgTransferLog(DateTimeOffset CreatedAt, string Message);

/// <summary>
/// A backup (<c>pg_dump -Fc</c> of an add-on's database, then test-restored) or a restore of one into an add-on's
/// database: Heroku's "transfer". A backup has <see cref="Succeeded"/> only when the dump was made <em>and</em> its
/// test restore matched (<see cref="Verified"/>), so that what the CLI picks as "the newest backup" is one that restores.
/// </summary>
public sealed record PgTransfer
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required int Num { get; init; }
    public required string Kind { get; init; }
    public bool Scheduled { get; init; }
    public required string AddOnId { get; init; }
    public required string AddOnName { get; init; }
    /// <summary>The cluster's database (the add-on's provider id).</summary>
    public required string Database { get; init; }
    public string? SourceId { get; init; }
    public string? SourceName { get; init; }
    /// <summary>The dump's file name under backups/&lt;database&gt;/ (a backup's).</summary>
    public string? File { get; init; }
    public long? SourceBytes { get; init; }
    public long ProcessedBytes { get; init; }
    public bool? Succeeded { get; init; }
    public bool? Verified { get; init; }
    public string? Error { get; init; }
    public IReadOnlyList<PgTransferLog> Logs { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? CanceledAt { get; init; }

    public bool IsBackup => Kind == PgTransferKinds.Backup;
    public bool Finished => FinishedAt is not null;
    /// <summary>b001, a002 (scheduled), r003 (restore).</summary>
    public string Name => PgBackupRules.Name(Kind, Scheduled, Num);
}

/// <summary>A daily capture of one add-on's database at <see cref="Hour"/>:00 in <see cref="TimeZone"/>.</summary>
public sealed record PgBackupSchedule(string Id, string AddOnId, string Name, int Hour, string TimeZone, DateTimeOffset NextRunAt);
