using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.AddOns.Scheduler;

/// <summary>The <c>scheduled_jobs</c> table's owner.</summary>
public sealed class JobStore(Database database)
{
    private const string Select = """
        SELECT j.id, j.app_id, a.name AS app_name, j.command, j.schedule, j.size, j.last_tick, j.next_run, j.created_at, j.updated_at
        FROM scheduled_jobs j JOIN apps a ON a.id = j.app_id
        """;

    public IReadOnlyList<ScheduledJob> ForApp(string appId) => Query($"{Select} WHERE j.app_id = @appId ORDER BY j.created_at, j.id", new { appId });

    public ScheduledJob? Find(string appId, string id) =>
        Query($"{Select} WHERE j.app_id = @appId AND j.id = @id", new { appId, id }).FirstOrDefault();

    /// <summary>Jobs whose next tick is at or before <paramref name="now"/>.</summary>
    public IReadOnlyList<ScheduledJob> Due(DateTimeOffset now) =>
        Query($"{Select} WHERE j.next_run <= @now ORDER BY j.next_run", new { now = Timestamp.Format(now) });

    /// <summary>The earliest next tick of any job, or null when there is none.</summary>
    public DateTimeOffset? NextDue() =>
        database.Read(c => c.ExecuteScalar<string?>("SELECT MIN(next_run) FROM scheduled_jobs")) is { } next ? Timestamp.Parse(next) : null;

    public void Insert(ScheduledJob job, DateTimeOffset now) => database.Write((c, t) => c.Execute("""
        INSERT INTO scheduled_jobs (id, app_id, command, schedule, size, last_tick, next_run, created_at, updated_at)
        VALUES (@Id, @AppId, @Command, @Schedule, @Size, NULL, @next, @now, @now)
        """, new { job.Id, job.AppId, job.Command, job.Schedule, job.Size, next = Timestamp.Format(job.NextRun), now = Timestamp.Format(now) }, t));

    public void Update(ScheduledJob job, DateTimeOffset now) => database.Write((c, t) => c.Execute("""
        UPDATE scheduled_jobs SET command = @Command, schedule = @Schedule, size = @Size, next_run = @next, updated_at = @now
        WHERE id = @Id AND app_id = @AppId
        """, new { job.Id, job.AppId, job.Command, job.Schedule, job.Size, next = Timestamp.Format(job.NextRun), now = Timestamp.Format(now) }, t));

    public bool Delete(string appId, string id) =>
        database.Write((c, t) => c.Execute("DELETE FROM scheduled_jobs WHERE id = @id AND app_id = @appId", new { id, appId }, t)) > 0;

    public void DeleteForApp(string appId) =>
        database.Write((c, t) => c.Execute("DELETE FROM scheduled_jobs WHERE app_id = @appId", new { appId }, t));

    /// <summary>
    /// Claims <paramref name="tick"/> of a job: moves its last tick forward to it (and its next run on) only if no one
    /// claimed this tick or a later one yet. True for exactly one caller per tick, across loops and restarts.
    /// </summary>
    public bool TryClaim(string id, DateTimeOffset tick, DateTimeOffset nextRun, DateTimeOffset now) =>
        database.Write((c, t) => c.Execute("""
            UPDATE scheduled_jobs SET last_tick = @tick, next_run = @next, updated_at = @now
            WHERE id = @id AND (last_tick IS NULL OR last_tick < @tick)
            """, new { id, tick = Timestamp.Format(tick), next = Timestamp.Format(nextRun), now = Timestamp.Format(now) }, t)) == 1;

    private IReadOnlyList<ScheduledJob> Query(string sql, object parameters) =>
        database.Read(c => c.Query<Row>(sql, parameters).Select(r => r.ToJob()).AsList());

    private sealed class Row
    {
        public string Id { get; init; } = "";
        public string AppId { get; init; } = "";
        public string AppName { get; init; } = "";
        public string Command { get; init; } = "";
        public string Schedule { get; init; } = "";
        public string? Size { get; init; }
        public string? LastTick { get; init; }
        public string NextRun { get; init; } = "";
        public string CreatedAt { get; init; } = "";
        public string UpdatedAt { get; init; } = "";

        public ScheduledJob ToJob() => new()
        {
            Id = Id, AppId = AppId, AppName = AppName, Command = Command, Schedule = Schedule, Size = Size,
            LastTick = LastTick is null ? null : Timestamp.Parse(LastTick), NextRun = Timestamp.Parse(NextRun),
            CreatedAt = Timestamp.Parse(CreatedAt), UpdatedAt = Timestamp.Parse(UpdatedAt),
        };
    }
}
