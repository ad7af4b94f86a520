using System.Data;
using Microsoft.Data.Sqlite;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Apps;

/// <summary>Creating, finding, renaming and destroying apps. A user sees only the apps they own.</summary>
/// <remarks>An app's first release (v1) is made with it by the CreateApp operation, in the same transaction.</remarks>
public sealed class AppService(Database database, PlatformSettings settings)
{
    /// <summary>App uids start here, clear of Debian's system (below 1000) and regular user ranges.</summary>
    public const int FirstUid = 20001;

    private readonly AppStore _store = new(database);

    /// <summary>Kept for callers made before the initial release moved to the CreateApp operation.</summary>
    public AppService(Database database, PlatformSettings settings, Logplex.ILogplex logplex) : this(database, settings) { }

    public IReadOnlyList<App> List(Account owner) => _store.ListOwnedBy(owner.Id);

    /// <summary>Finds an app by name or id among the caller's apps; someone else's app is "not found", not "forbidden",
    /// so names of other users' apps do not leak.</summary>
    public App Find(Account caller, string nameOrId) =>
        _store.FindOwned(caller.Id, nameOrId.Trim()) ?? throw PlatformException.NotFound("app");

    /// <summary>Whether an app with this id exists (for credentials that name an app, such as signed log URLs).</summary>
    public bool Exists(string appId) => _store.Exists(appId);

    /// <param name="alongside">More to write in the app's creating transaction (its first release), given the app's id.</param>
    public App Create(Account owner, string? name = null, string? region = null, string? stack = null,
        Action<IDbConnection, IDbTransaction, string>? alongside = null)
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
                    _store.Insert(c, t, id, candidate, owner.Id, settings.Region, settings.Stack, FirstUid);
                    alongside?.Invoke(c, t, id);
                });
                return Find(owner, id);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT: the name is taken */)
            {
                if (name is not null) throw PlatformException.Invalid("Name is already taken.");
                if (attempt >= 10) throw;
            }
        }
    }

    public App Update(Account caller, App app, string? newName, bool? maintenance)
    {
        var rename = newName is not null && newName != app.Name;
        if (rename) AppName.Validate(newName);
        try
        {
            _store.Update(app.Id, rename ? newName : null, maintenance);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw PlatformException.Invalid("Name is already taken.");
        }
        return Find(caller, app.Id);
    }

    /// <summary>Deletes the app and everything that belongs to it (releases, slugs, formation, builds, dynos).</summary>
    public void Destroy(App app) => _store.Delete(app.Id);
}
