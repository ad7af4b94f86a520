using Dapper;
using Microsoft.Data.Sqlite;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Logplex;

/// <summary>The <c>log_lines</c> table's owner: the newest lines of each app's log, kept across restarts.</summary>
public sealed class LogLineStore(Database database)
{
    /// <summary>The newest line id stored, or 0: ids keep increasing across restarts.</summary>
    public long MaxId() => database.Read(c => c.ExecuteScalar<long?>("SELECT MAX(id) FROM log_lines")) ?? 0;

    /// <summary>The app's newest <paramref name="limit"/> stored lines older than <paramref name="beforeId"/>, newest first.</summary>
    public IReadOnlyList<LogLine> Before(string appId, long beforeId, int limit) =>
        database.Read(c => c.Query<StoredLine>("""
            SELECT id, created_at, source, dyno, message FROM log_lines
            WHERE app_id = @appId AND id < @beforeId ORDER BY id DESC LIMIT @limit
            """, new { appId, beforeId, limit }).Select(l => l.ToLine()).AsList());

    /// <summary>Stores lines (of apps that still exist) and trims each app to its newest <paramref name="keep"/>, in one
    /// transaction.</summary>
    /// <returns>How many lines were stored.</returns>
    public int Write(IReadOnlyList<(string AppId, LogLine Line)> lines, int keep)
    {
        if (lines.Count == 0) return 0;
        using var connection = database.Open();
        // Log lines are many and each one matters little: commit without waiting for fsync (WAL keeps the database
        // consistent; a power cut may lose the last moments of logs, a kill -9 of the platform loses nothing committed).
        connection.Execute("PRAGMA synchronous = NORMAL;");
        using var transaction = connection.BeginTransaction(deferred: false);

        var appIds = lines.Select(p => p.AppId).Distinct(StringComparer.Ordinal).ToList();
        var existing = connection.Query<string>("SELECT id FROM apps WHERE id IN @appIds", new { appIds }, transaction)
            .ToHashSet(StringComparer.Ordinal);

        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT OR IGNORE INTO log_lines (id, app_id, created_at, source, dyno, message)
            VALUES ($id, $app, $at, $source, $dyno, $message)
            """;
        var id = insert.Parameters.Add("$id", SqliteType.Integer);
        var app = insert.Parameters.Add("$app", SqliteType.Text);
        var at = insert.Parameters.Add("$at", SqliteType.Text);
        var source = insert.Parameters.Add("$source", SqliteType.Text);
        var dyno = insert.Parameters.Add("$dyno", SqliteType.Text);
        var message = insert.Parameters.Add("$message", SqliteType.Text);
        insert.Prepare();
        var stored = 0;
        foreach (var (appId, line) in lines)
        {
            if (!existing.Contains(appId)) continue; // the app was destroyed meanwhile
            id.Value = line.Id;
            app.Value = appId;
            at.Value = Logplex.FormatTime(line.Timestamp);
            source.Value = line.Source;
            dyno.Value = line.Dyno;
            message.Value = line.Message;
            stored += insert.ExecuteNonQuery();
        }

        // Keep the newest N per app: everything at or below the (N+1)-th newest id goes.
        foreach (var appId in existing)
        {
            connection.Execute("""
                DELETE FROM log_lines WHERE app_id = @appId AND id <=
                    (SELECT id FROM log_lines WHERE app_id = @appId ORDER BY id DESC LIMIT 1 OFFSET @keep)
                """, new { appId, keep }, transaction);
        }
        transaction.Commit();
        return stored;
    }

    private sealed record StoredLine
    {
        public long Id { get; init; }
        public string CreatedAt { get; init; } = "";
        public string Source { get; init; } = "";
        public string Dyno { get; init; } = "";
        public string Message { get; init; } = "";

        public LogLine ToLine() => new(Id, DateTimeOffset.Parse(CreatedAt, System.Globalization.CultureInfo.InvariantCulture), Source, Dyno, Message);
    }
}
