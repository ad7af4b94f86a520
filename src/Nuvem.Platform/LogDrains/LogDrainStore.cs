using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.LogDrains;

/// <summary>The <c>log_drains</c> table's owner.</summary>
public sealed class LogDrainStore(Database database)
{
    private const string Columns = "id, app_id, url, token, created_at, updated_at";

    public IReadOnlyList<LogDrain> List(string appId) =>
        database.Read(c => c.Query<LogDrain>($"SELECT {Columns} FROM log_drains WHERE app_id = @appId ORDER BY created_at, id", new { appId }).AsList());

    /// <summary>By id, token or URL (exactly as added), or null.</summary>
    public LogDrain? Find(string appId, string key) =>
        database.Read(c => c.QuerySingleOrDefault<LogDrain>(
            $"SELECT {Columns} FROM log_drains WHERE app_id = @appId AND (id = @key OR token = @key OR url = @key)", new { appId, key }));

    /// <summary>Adds a drain after checking, in the same write lock, that the app has no drain with this URL and fewer
    /// than <paramref name="maxPerApp"/>. The same URL added meanwhile throws SQLite's constraint error.</summary>
    /// <param name="refuse">Makes the error for a URL the app has (true) or a full app (false).</param>
    public void Insert(string id, string appId, string url, string token, int maxPerApp, Func<bool, Exception> refuse) =>
        database.Write((c, t) =>
        {
            if (c.ExecuteScalar<int>("SELECT COUNT(*) FROM log_drains WHERE app_id = @appId AND url = @url", new { appId, url }, t) > 0) throw refuse(true);
            if (c.ExecuteScalar<int>("SELECT COUNT(*) FROM log_drains WHERE app_id = @appId", new { appId }, t) >= maxPerApp) throw refuse(false);
            var now = Timestamp.Now();
            c.Execute("INSERT INTO log_drains (id, app_id, url, token, created_at, updated_at) VALUES (@id, @appId, @url, @token, @now, @now)",
                new { id, appId, url, token, now }, t);
        });

    public void Delete(string id) => database.Write((c, t) => c.Execute("DELETE FROM log_drains WHERE id = @id", new { id }, t));
}
