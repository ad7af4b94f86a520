using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Domains;

/// <summary>The <c>domains</c> table's owner (custom domains), and the host lookups the router's route table makes,
/// which read app names beside it.</summary>
public sealed class DomainStore(Database database)
{
    private const string Select = """
        SELECT d.id, d.app_id, a.name AS app_name, d.hostname, d.created_at, d.updated_at
        FROM domains d JOIN apps a ON a.id = d.app_id
        """;

    /// <summary>A custom domain as stored.</summary>
    public sealed class Row
    {
        public string Id { get; init; } = "";
        public string AppId { get; init; } = "";
        public string AppName { get; init; } = "";
        public string Hostname { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }

    public IReadOnlyList<Row> List(string appId) =>
        database.Read(c => c.Query<Row>($"{Select} WHERE d.app_id = @appId ORDER BY d.hostname", new { appId }).AsList());

    /// <summary>The app's custom domain with this host name or id, or null.</summary>
    public Row? Find(string appId, string hostname, string id) =>
        database.Read(c => c.QuerySingleOrDefault<Row>($"{Select} WHERE d.app_id = @appId AND (d.hostname = @hostname OR d.id = @id)",
            new { appId, hostname, id }));

    /// <summary>Adds a custom domain after checking, in the same write lock, that no app has the host and the app has
    /// fewer than <paramref name="maxPerApp"/>. A host added meanwhile throws SQLite's constraint error.</summary>
    /// <param name="refuse">Makes the error for a taken host (given whether the same app has it) or a full app (null).</param>
    public void Insert(string id, string appId, string hostname, int maxPerApp, Func<bool?, Exception> refuse) =>
        database.Write((c, t) =>
        {
            var existing = c.QuerySingleOrDefault<string>("SELECT app_id FROM domains WHERE hostname = @hostname", new { hostname }, t);
            if (existing is not null) throw refuse(existing == appId);
            if (c.ExecuteScalar<int>("SELECT COUNT(*) FROM domains WHERE app_id = @appId", new { appId }, t) >= maxPerApp) throw refuse(null);
            var now = Timestamp.Now();
            c.Execute("INSERT INTO domains (id, app_id, hostname, created_at, updated_at) VALUES (@id, @appId, @hostname, @now, @now)",
                new { id, appId, hostname, now }, t);
        });

    public void Delete(string id) => database.Write((c, t) => c.Execute("DELETE FROM domains WHERE id = @id", new { id }, t));

    /// <summary>The app that answers at a host: its custom domain, the app named <paramref name="appName"/> (for
    /// NAME.NUVEM_DOMAIN), or the custom wildcard domain; indexed reads, in that order.</summary>
    public string? AppIdForHost(string hostname, string? appName, string? wildcard) =>
        database.Read(c => c.QueryFirstOrDefault<string>("""
            SELECT app_id FROM domains WHERE hostname = @hostname
            UNION ALL SELECT id FROM apps WHERE @appName IS NOT NULL AND name = @appName
            UNION ALL SELECT app_id FROM domains WHERE hostname = @wildcard
            """, new { hostname, appName, wildcard }));

    /// <summary>Every app's id by name, and every custom domain's app id by host name.</summary>
    public (Dictionary<string, string> AppIdsByName, Dictionary<string, string> AppIdsByCustomHost) Hosts() =>
        database.Read(c => (
            c.Query<(string Name, string Id)>("SELECT name, id FROM apps").ToDictionary(a => a.Name, a => a.Id, StringComparer.Ordinal),
            c.Query<(string Hostname, string AppId)>("SELECT hostname, app_id FROM domains").ToDictionary(d => d.Hostname, d => d.AppId, StringComparer.Ordinal)));
}
