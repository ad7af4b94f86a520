using System.Data;
using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Apps;

/// <summary>
/// The <c>apps</c> table's owner (and its uid sequence): names, owners, uids, maintenance, the stored config vars and
/// sizes. Also where the rule "an app's current release" is written, once: the app's own read model (its slug size)
/// needs it, and releases, the scheduler and the apps all ask the same question.
/// </summary>
public sealed class AppStore(Database database)
{
    /// <summary>
    /// The rule, written once: an app's current release is its newest release whose release phase succeeded (or that had
    /// none). A pending or failed release never runs. <paramref name="appId"/> is the SQL expression naming the app
    /// (<c>@appId</c>, or a column such as <c>a.id</c> in a join).
    /// </summary>
    public static string CurrentReleaseVersionOf(string appId) =>
        $"(SELECT MAX(version) FROM releases WHERE app_id = {appId} AND status = 'succeeded')";

    private static readonly string Select = $"""
        SELECT a.id, a.name, a.owner_id, u.email AS owner_email, a.region, a.stack, a.uid, a.maintenance, a.repo_size,
               (SELECT s.size FROM releases r JOIN slugs s ON s.id = r.slug_id
                 WHERE r.app_id = a.id AND r.version = {CurrentReleaseVersionOf("a.id")}) AS slug_size,
               a.released_at, a.created_at, a.updated_at
        FROM apps a JOIN users u ON u.id = a.owner_id
        """;

    public IReadOnlyList<App> ListOwnedBy(string ownerId) =>
        database.Read(c => c.Query<App>($"{Select} WHERE a.owner_id = @ownerId ORDER BY a.name", new { ownerId }).AsList());

    /// <summary>The owner's app with this name or id, or null.</summary>
    public App? FindOwned(string ownerId, string nameOrId) =>
        database.Read(c => c.QuerySingleOrDefault<App>($"{Select} WHERE (a.name = @nameOrId OR a.id = @nameOrId) AND a.owner_id = @ownerId",
            new { nameOrId, ownerId }));

    /// <summary>Any owner's app by id (for work the platform does on its own, such as provisioning in the background), or null.</summary>
    public App? ById(string appId) =>
        database.Read(c => c.QuerySingleOrDefault<App>($"{Select} WHERE a.id = @appId", new { appId }));

    public bool Exists(string appId) =>
        database.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM apps WHERE id = @appId", new { appId })) > 0;

    /// <summary>Adds an app with empty config vars and the next uid, in the caller's write transaction (a taken name
    /// throws SQLite's constraint error and rolls the uid back with the insert).</summary>
    /// <returns>The app's uid.</returns>
    public int Insert(IDbConnection c, IDbTransaction t, string id, string name, string ownerId, string region, string stack, int firstUid)
    {
        var uid = NextUid(c, t, firstUid);
        var now = Timestamp.Now();
        c.Execute("""
            INSERT INTO apps (id, name, owner_id, region, stack, uid, maintenance, config_vars, created_at, updated_at)
            VALUES (@id, @name, @ownerId, @region, @stack, @uid, 0, '{}', @now, @now)
            """, new { id, name, ownerId, region, stack, uid, now }, t);
        return uid;
    }

    /// <summary>
    /// The next app uid. Uids only go up, also across destroyed apps: files a destroyed app's uid still owns must never
    /// belong to a new app.
    /// </summary>
    private static int NextUid(IDbConnection c, IDbTransaction t, int firstUid)
    {
        c.Execute("""
            UPDATE app_uid_sequence
            SET last_uid = MAX(last_uid, @firstUid - 1, (SELECT COALESCE(MAX(uid), 0) FROM apps)) + 1
            WHERE id = 1
            """, new { firstUid }, t);
        return c.ExecuteScalar<int>("SELECT last_uid FROM app_uid_sequence WHERE id = 1", transaction: t);
    }

    /// <summary>Renames and/or sets maintenance in one transaction; a taken name throws SQLite's constraint error.</summary>
    public void Update(string appId, string? newName, bool? maintenance) =>
        database.Write((c, t) =>
        {
            var now = Timestamp.Now();
            if (newName is not null)
                c.Execute("UPDATE apps SET name = @newName, updated_at = @now WHERE id = @appId", new { newName, now, appId }, t);
            if (maintenance is not null)
                c.Execute("UPDATE apps SET maintenance = @maintenance, updated_at = @now WHERE id = @appId", new { maintenance, now, appId }, t);
        });

    /// <summary>Deletes the app's row; its releases, slugs, formation, builds, dynos, domains, drains and log lines go
    /// with it (foreign keys cascade).</summary>
    public void Delete(string appId) =>
        database.Write((c, t) => c.Execute("DELETE FROM apps WHERE id = @appId", new { appId }, t));

    /// <summary>The app's config vars as stored (a JSON object).</summary>
    public string ConfigVarsJson(string appId) =>
        database.Read(c => c.ExecuteScalar<string>("SELECT config_vars FROM apps WHERE id = @appId", new { appId })) ?? "{}";

    public string ConfigVarsJson(IDbConnection c, IDbTransaction t, string appId) =>
        c.ExecuteScalar<string>("SELECT config_vars FROM apps WHERE id = @appId", new { appId }, t) ?? "{}";

    public void SetConfigVars(IDbConnection c, IDbTransaction t, string appId, string json) =>
        c.Execute("UPDATE apps SET config_vars = @json, updated_at = @now WHERE id = @appId", new { json, now = Timestamp.Now(), appId }, t);

    /// <summary>A release of the app became current at <paramref name="now"/>.</summary>
    public void MarkReleased(IDbConnection c, IDbTransaction t, string appId, string now) =>
        c.Execute("UPDATE apps SET released_at = @now, updated_at = @now WHERE id = @appId", new { now, appId }, t);

    public void SetRepoSize(string appId, long size) =>
        database.Write((c, t) => c.Execute("UPDATE apps SET repo_size = @size WHERE id = @appId", new { size, appId }, t));
}
