using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Releases;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Apps;

/// <summary>Creating, finding, renaming and destroying apps. A user sees only the apps they own.</summary>
public sealed class AppService(Database database, PlatformSettings settings, ILogplex logplex)
{
    /// <summary>App uids start here, clear of Debian's system (below 1000) and regular user ranges.</summary>
    public const int FirstUid = 20001;

    private const string Select = """
        SELECT a.id, a.name, a.owner_id, u.email AS owner_email, a.region, a.stack, a.uid, a.maintenance, a.repo_size,
               (SELECT s.size FROM releases r JOIN slugs s ON s.id = r.slug_id
                 WHERE r.app_id = a.id AND r.status = 'succeeded' ORDER BY r.version DESC LIMIT 1) AS slug_size,
               a.released_at, a.created_at, a.updated_at
        FROM apps a JOIN users u ON u.id = a.owner_id
        """;

    public IReadOnlyList<App> List(Account owner) =>
        database.Read(c => c.Query<App>($"{Select} WHERE a.owner_id = @Id ORDER BY a.name", new { owner.Id }).AsList());

    /// <summary>Finds an app by name or id among the caller's apps; someone else's app is "not found", not "forbidden",
    /// so names of other users' apps do not leak.</summary>
    public App Find(Account caller, string nameOrId)
    {
        var key = nameOrId.Trim();
        return database.Read(c => c.QuerySingleOrDefault<App>($"{Select} WHERE (a.name = @key OR a.id = @key) AND a.owner_id = @owner",
                   new { key, owner = caller.Id }))
               ?? throw PlatformException.NotFound("app");
    }

    /// <summary>Whether an app with this id exists (for credentials that name an app, such as signed log URLs).</summary>
    public bool Exists(string appId) =>
        database.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM apps WHERE id = @appId", new { appId })) > 0;

    public App Create(Account owner, string? name = null, string? region = null, string? stack = null)
    {
        if (region is not null && region != settings.Region)
            throw PlatformException.Invalid($"Unknown region '{region}'. This platform has one region: {settings.Region}.");
        if (stack is not null && stack != settings.Stack)
            throw PlatformException.Invalid($"Unknown stack '{stack}'. Available: {settings.Stack}.");
        if (name is not null) AppName.Validate(name);

        for (var attempt = 0; ; attempt++)
        {
            var candidate = name ?? AppName.Generate();
            var id = Guid.NewGuid().ToString();
            try
            {
                database.Write((c, t) =>
                {
                    var now = Timestamp.Now();
                    var uid = NextUid(c, t);
                    c.Execute("""
                        INSERT INTO apps (id, name, owner_id, region, stack, uid, maintenance, config_vars, created_at, updated_at)
                        VALUES (@id, @candidate, @owner, @region, @stack, @uid, 0, '{}', @now, @now)
                        """, new { id, candidate, owner = owner.Id, region = settings.Region, stack = settings.Stack, uid, now }, t);
                    ReleaseService.Append(c, t, id, "Initial release", owner.Id, slugId: null, "{}");
                });
                logplex.ReleaseCreated(id, 1, "Initial release", owner.Email);
                return Find(owner, id);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT: the name is taken */)
            {
                if (name is not null) throw PlatformException.Invalid("Name is already taken.");
                if (attempt >= 10) throw;
            }
        }
    }

    /// <summary>
    /// The next app uid, inside the caller's write transaction (a taken name rolls it back with the insert). Uids only
    /// go up, also across destroyed apps: files a destroyed app's uid still owns must never belong to a new app.
    /// </summary>
    private static int NextUid(IDbConnection c, IDbTransaction t)
    {
        c.Execute("""
            UPDATE app_uid_sequence
            SET last_uid = MAX(last_uid, @firstUid - 1, (SELECT COALESCE(MAX(uid), 0) FROM apps)) + 1
            WHERE id = 1
            """, new { firstUid = FirstUid }, t);
        return c.ExecuteScalar<int>("SELECT last_uid FROM app_uid_sequence WHERE id = 1", transaction: t);
    }

    public App Update(Account caller, App app, string? newName, bool? maintenance)
    {
        if (newName is not null && newName != app.Name) AppName.Validate(newName);
        try
        {
            database.Write((c, t) =>
            {
                var now = Timestamp.Now();
                if (newName is not null && newName != app.Name)
                    c.Execute("UPDATE apps SET name = @newName, updated_at = @now WHERE id = @Id", new { newName, now, app.Id }, t);
                if (maintenance is not null)
                    c.Execute("UPDATE apps SET maintenance = @maintenance, updated_at = @now WHERE id = @Id", new { maintenance, now, app.Id }, t);
            });
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw PlatformException.Invalid("Name is already taken.");
        }
        return Find(caller, app.Id);
    }

    /// <summary>Deletes the app and everything that belongs to it (releases, slugs, formation, builds, dynos).</summary>
    public void Destroy(App app) =>
        database.Write((c, t) => c.Execute("DELETE FROM apps WHERE id = @Id", new { app.Id }, t));
}
