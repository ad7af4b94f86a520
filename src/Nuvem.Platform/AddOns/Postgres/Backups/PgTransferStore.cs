using System.Text.Json;
using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.AddOns.Postgres.Backups;

/// <summary>The <c>pg_transfers</c> and <c>pg_transfer_schedules</c> tables' owner.</summary>
public sealed class PgTransferStore(Database database)
{
    private const string Select = """
        SELECT id, app_id, num, kind, scheduled, addon_id, addon_name, database, source_id, source_name, file, source_bytes,
               processed_bytes, succeeded, verified, error, logs, created_at, started_at, finished_at, canceled_at
        FROM pg_transfers
        """;

    /// <summary>Records a new transfer with the app's next number (one sequence per app for every kind).</summary>
    public PgTransfer Insert(string appId, string kind, bool scheduled, AddOn addOn, string? sourceId, string? sourceName, DateTimeOffset now) =>
        database.Write((c, t) =>
        {
            var num = c.ExecuteScalar<int>("SELECT COALESCE(MAX(num), 0) + 1 FROM pg_transfers WHERE app_id = @appId", new { appId }, t);
            var transfer = new PgTransfer
            {
                Id = Guid.NewGuid().ToString(), AppId = appId, Num = num, Kind = kind, Scheduled = scheduled, AddOnId = addOn.Id,
                AddOnName = addOn.Name, Database = addOn.ProviderId!, SourceId = sourceId, SourceName = sourceName, CreatedAt = now,
                File = kind == PgTransferKinds.Backup ? PgBackupRules.Name(kind, scheduled, num) + ".dump" : null,
            };
            c.Execute("""
                INSERT INTO pg_transfers (id, app_id, num, kind, scheduled, addon_id, addon_name, database, source_id, source_name, file,
                                          created_at, updated_at)
                VALUES (@Id, @AppId, @Num, @Kind, @Scheduled, @AddOnId, @AddOnName, @Database, @SourceId, @SourceName, @File, @CreatedAt, @CreatedAt)
                """, transfer, t);
            return transfer;
        });

    public PgTransfer? Find(string id) => One($"{Select} WHERE id = @id", new { id });

    public PgTransfer? FindByNum(string appId, int num) => One($"{Select} WHERE app_id = @appId AND num = @num", new { appId, num });

    public IReadOnlyList<PgTransfer> ForApp(string appId) => Many($"{Select} WHERE app_id = @appId ORDER BY num", new { appId });

    public IReadOnlyList<PgTransfer> BackupsOf(string addOnId) =>
        Many($"{Select} WHERE addon_id = @addOnId AND kind = 'backup' ORDER BY num", new { addOnId });

    /// <summary>Every (database, file) a recorded backup has, for the sweep of dumps whose record is gone.</summary>
    public IReadOnlySet<(string Database, string File)> Files() => database.Read(c =>
        c.Query<(string, string)>("SELECT database, file FROM pg_transfers WHERE file IS NOT NULL").ToHashSet());

    public IReadOnlyList<PgTransfer> Unfinished() => Many($"{Select} WHERE finished_at IS NULL ORDER BY created_at", new { });

    public void Started(string id, DateTimeOffset at) =>
        database.Write((c, t) => c.Execute("UPDATE pg_transfers SET started_at = @at, updated_at = @at WHERE id = @id", new { id, at }, t));

    public void Log(string id, PgTransferLog line) => database.Write((c, t) =>
    {
        var logs = JsonSerializer.Deserialize<List<PgTransferLog>>(c.ExecuteScalar<string>("SELECT logs FROM pg_transfers WHERE id = @id", new { id }, t) ?? "[]") ?? [];
        logs.Add(line);
        c.Execute("UPDATE pg_transfers SET logs = @json, updated_at = @at WHERE id = @id", new { id, json = JsonSerializer.Serialize(logs), at = line.CreatedAt }, t);
    });

    public void Sizes(string id, long? sourceBytes, long processedBytes) => database.Write((c, t) =>
        c.Execute("UPDATE pg_transfers SET source_bytes = @sourceBytes, processed_bytes = @processedBytes WHERE id = @id", new { id, sourceBytes, processedBytes }, t));

    public void Finished(string id, bool succeeded, bool? verified, string? error, DateTimeOffset at, bool canceled = false) => database.Write((c, t) =>
        c.Execute("""
            UPDATE pg_transfers SET succeeded = @succeeded, verified = @verified, error = @error, finished_at = @at, updated_at = @at,
                   canceled_at = CASE WHEN @canceled THEN @at ELSE canceled_at END
            WHERE id = @id
            """, new { id, succeeded, verified, error, at, canceled }, t));

    public void Delete(string id) => database.Write((c, t) => c.Execute("DELETE FROM pg_transfers WHERE id = @id", new { id }, t));

    public PgBackupSchedule? ScheduleOf(string addOnId) => database.Read(c =>
        c.QuerySingleOrDefault<ScheduleRow>("SELECT id, addon_id, name, hour, timezone, next_run_at FROM pg_transfer_schedules WHERE addon_id = @addOnId",
            new { addOnId }))?.ToSchedule();

    public IReadOnlyList<PgBackupSchedule> Due(DateTimeOffset now) => database.Read(c =>
        c.Query<ScheduleRow>("SELECT id, addon_id, name, hour, timezone, next_run_at FROM pg_transfer_schedules WHERE next_run_at <= @now ORDER BY next_run_at",
            new { now }).Select(r => r.ToSchedule()).ToList());

    /// <summary>Sets the add-on's schedule (one per add-on: a second replaces the first).</summary>
    public PgBackupSchedule SaveSchedule(string addOnId, string name, int hour, string timezone, DateTimeOffset nextRun, DateTimeOffset now) =>
        database.Write((c, t) =>
        {
            var id = c.ExecuteScalar<string>("SELECT id FROM pg_transfer_schedules WHERE addon_id = @addOnId", new { addOnId }, t) ?? Guid.NewGuid().ToString();
            c.Execute("""
                INSERT INTO pg_transfer_schedules (id, addon_id, name, hour, timezone, next_run_at, created_at, updated_at)
                VALUES (@id, @addOnId, @name, @hour, @timezone, @nextRun, @now, @now)
                ON CONFLICT (addon_id) DO UPDATE SET name = @name, hour = @hour, timezone = @timezone, next_run_at = @nextRun, updated_at = @now
                """, new { id, addOnId, name, hour, timezone, nextRun, now }, t);
            return new PgBackupSchedule(id, addOnId, name, hour, timezone, nextRun);
        });

    public void SetNextRun(string id, DateTimeOffset nextRun) => database.Write((c, t) =>
        c.Execute("UPDATE pg_transfer_schedules SET next_run_at = @nextRun WHERE id = @id", new { id, nextRun }, t));

    public bool DeleteSchedule(string addOnId, string id) => database.Write((c, t) =>
        c.Execute("DELETE FROM pg_transfer_schedules WHERE addon_id = @addOnId AND id = @id", new { addOnId, id }, t) > 0);

    private PgTransfer? One(string sql, object parameters) => database.Read(c => c.QuerySingleOrDefault<TransferRow>(sql, parameters))?.ToTransfer();

    private IReadOnlyList<PgTransfer> Many(string sql, object parameters) =>
        database.Read(c => c.Query<TransferRow>(sql, parameters).Select(r => r.ToTransfer()).ToList());

    private sealed class ScheduleRow
    {
        public string Id { get; set; } = "";
        public string AddonId { get; set; } = "";
        public string Name { get; set; } = "";
        public long Hour { get; set; }
        public string Timezone { get; set; } = "";
        public string NextRunAt { get; set; } = "";

        public PgBackupSchedule ToSchedule() => new(Id, AddonId, Name, (int)Hour, Timezone, Timestamp.Parse(NextRunAt));
    }

    private sealed class TransferRow
    {
        public string Id { get; set; } = "";
        public string AppId { get; set; } = "";
        public long Num { get; set; }
        public string Kind { get; set; } = "";
        public long Scheduled { get; set; }
        public string AddonId { get; set; } = "";
        public string AddonName { get; set; } = "";
        public string Database { get; set; } = "";
        public string? SourceId { get; set; }
        public string? SourceName { get; set; }
        public string? File { get; set; }
        public long? SourceBytes { get; set; }
        public long ProcessedBytes { get; set; }
        public long? Succeeded { get; set; }
        public long? Verified { get; set; }
        public string? Error { get; set; }
        public string Logs { get; set; } = "[]";
        public string CreatedAt { get; set; } = "";
        public string? StartedAt { get; set; }
        public string? FinishedAt { get; set; }
        public string? CanceledAt { get; set; }

        public PgTransfer ToTransfer() => new()
        {
            Id = Id, AppId = AppId, Num = (int)Num, Kind = Kind, Scheduled = Scheduled != 0, AddOnId = AddonId, AddOnName = AddonName,
            Database = Database, SourceId = SourceId, SourceName = SourceName, File = File, SourceBytes = SourceBytes,
            ProcessedBytes = ProcessedBytes, Succeeded = Succeeded is null ? null : Succeeded != 0, Verified = Verified is null ? null : Verified != 0,
            Error = Error, Logs = JsonSerializer.Deserialize<List<PgTransferLog>>(Logs) ?? [], CreatedAt = Timestamp.Parse(CreatedAt),
            StartedAt = StartedAt is null ? null : Timestamp.Parse(StartedAt), FinishedAt = FinishedAt is null ? null : Timestamp.Parse(FinishedAt),
            CanceledAt = CanceledAt is null ? null : Timestamp.Parse(CanceledAt),
        };
    }
}
