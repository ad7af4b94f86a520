using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Nuvem.Platform.Apps;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Domains;

/// <summary>
/// The host names apps answer to: each app's default host <c>NAME.NUVEM_DOMAIN</c> and its custom domains, and the
/// reverse lookup the router's route table makes for every request (<see cref="AppIdForHost"/>), served from an
/// in-memory snapshot.
/// </summary>
public sealed class DomainService(Database database, PlatformSettings settings, TimeProvider time)
{
    /// <summary>Heroku's limit of custom domains per app.</summary>
    public const int MaxCustomDomainsPerApp = 1000;

    /// <summary>How long a snapshot answers without looking at the database again. Domain changes made here replace
    /// it at once and hosts it does not know are looked up directly, so only a renamed or destroyed app lingers at
    /// its old host, for up to this long.</summary>
    public static readonly TimeSpan SnapshotLifetime = TimeSpan.FromSeconds(2);

    private sealed record Snapshot(Dictionary<string, string> AppIdsByName, Dictionary<string, string> AppIdsByCustomHost, long LoadedAt);

    private volatile Snapshot? _snapshot;
    private readonly Lock _reload = new();
    private int _refreshing;

    private readonly DomainStore _store = new(database);

    /// <summary>The app's default host first, then its custom domains by name.</summary>
    public IReadOnlyList<Domain> List(App app)
    {
        var custom = _store.List(app.Id);
        return [Default(app), .. custom.Select(r => Custom(r, app.Name))];
    }

    /// <summary>By host name (any case, trailing dot allowed) or id.</summary>
    public Domain Find(App app, string hostnameOrId)
    {
        var key = Hostname.Canonical(hostnameOrId);
        var fallback = Default(app);
        if (key == fallback.Hostname || hostnameOrId.Trim() == fallback.Id) return fallback;
        var row = _store.Find(app.Id, key, hostnameOrId.Trim());
        return row is null ? throw PlatformException.NotFound("domain", $"Couldn't find that domain ({hostnameOrId.Trim()}) on {app.Name}.") : Custom(row, app.Name);
    }

    public Domain Add(App app, string? hostname)
    {
        var host = Hostname.Validate(hostname);
        CheckNotPlatformHost(host);
        var id = Guid.NewGuid().ToString();
        try
        {
            _store.Insert(id, app.Id, host, MaxCustomDomainsPerApp, sameApp => sameApp is { } same
                ? Taken(host, same)
                : PlatformException.Invalid($"{app.Name} already has {MaxCustomDomainsPerApp} custom domains, the most an app can have."));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT: added meanwhile */)
        {
            throw Taken(host, sameApp: false);
        }
        Invalidate();
        return Find(app, id);
    }

    /// <summary>Removes a custom domain; the default host goes only with the app (or its name).</summary>
    public Domain Remove(App app, string hostnameOrId)
    {
        var domain = Find(app, hostnameOrId);
        if (domain.Kind == DomainKind.Heroku)
            throw PlatformException.Invalid($"{domain.Hostname} is {app.Name}'s default domain and cannot be removed. Rename or destroy the app instead.");
        _store.Delete(domain.Id);
        Invalidate();
        return domain;
    }

    /// <summary>
    /// The app a request's host belongs to, or null: <c>NAME.NUVEM_DOMAIN</c>, a custom domain, or a custom wildcard
    /// (<c>*.example.com</c> matches <c>a.example.com</c>, not <c>a.b.example.com</c>; an exact domain wins).
    /// </summary>
    /// <param name="host">The Host header (a port and a trailing dot are ignored, case too).</param>
    public string? AppIdForHost(string host)
    {
        var key = Hostname.Canonical(host);
        if (key.Length == 0) return null;
        var found = Lookup(Current(), key);
        if (found is not null) return found;
        // Not in the snapshot: perhaps created a moment ago. Ask the database (indexed reads), so a new app or
        // domain answers at once; the next snapshot will know it.
        found = _store.AppIdForHost(key, DefaultHostAppName(key), Wildcard(key));
        if (found is not null) Invalidate();
        return found;
    }

    /// <summary>Drops the snapshot, so the next lookup reads the database: for changes to app names made elsewhere.</summary>
    public void Invalidate() => _snapshot = null;

    private string? Lookup(Snapshot snapshot, string host)
    {
        if (snapshot.AppIdsByCustomHost.TryGetValue(host, out var id)) return id;
        if (DefaultHostAppName(host) is { } name && snapshot.AppIdsByName.TryGetValue(name, out id)) return id;
        if (Wildcard(host) is { } wildcard && snapshot.AppIdsByCustomHost.TryGetValue(wildcard, out id)) return id;
        return null;
    }

    /// <summary>NAME for NAME.NUVEM_DOMAIN, else null.</summary>
    private string? DefaultHostAppName(string host)
    {
        var domain = settings.Domain;
        if (host.Length <= domain.Length + 1 || !host.EndsWith(domain, StringComparison.Ordinal) || host[^(domain.Length + 1)] != '.') return null;
        var name = host[..^(domain.Length + 1)];
        return name.Contains('.') ? null : name;
    }

    /// <summary>The wildcard domain that would cover <paramref name="host"/>: <c>*.example.com</c> for <c>a.example.com</c>.</summary>
    private static string? Wildcard(string host)
    {
        var dot = host.IndexOf('.');
        return dot > 0 ? "*" + host[dot..] : null;
    }

    private Snapshot Current()
    {
        var snapshot = _snapshot;
        if (snapshot is null) return Reload(null);
        if (Age(snapshot) > SnapshotLifetime && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
        {
            // Refresh in the background; requests keep using the old snapshot meanwhile.
            _ = Task.Run(() =>
            {
                try { Reload(snapshot); }
                catch (Exception) { /* the next lookup tries again */ }
                finally { Volatile.Write(ref _refreshing, 0); }
            });
        }
        return snapshot;
    }

    /// <summary>Loads a new snapshot unless another thread already replaced <paramref name="seen"/>.</summary>
    private Snapshot Reload(Snapshot? seen)
    {
        lock (_reload)
        {
            var current = _snapshot;
            if (current is not null && !ReferenceEquals(current, seen)) return current;
            var (apps, custom) = _store.Hosts();
            var loaded = new Snapshot(apps, custom, time.GetTimestamp());
            _snapshot = loaded;
            return loaded;
        }
    }

    private TimeSpan Age(Snapshot snapshot) => time.GetElapsedTime(snapshot.LoadedAt);

    private void CheckNotPlatformHost(string host)
    {
        var domain = settings.Domain;
        if (host == domain || host == "*." + domain)
            throw PlatformException.Invalid($"{host} is the platform's own domain and cannot be added to an app.");
        if (host.EndsWith("." + domain, StringComparison.Ordinal) && !host[..^(domain.Length + 1)].Contains('.'))
            throw PlatformException.Invalid($"{host} is an app's default host on this platform (every app NAME answers at NAME.{domain}); choose a host outside {domain} or one level deeper.");
    }

    private static PlatformException Taken(string host, bool sameApp) => sameApp
        ? new PlatformException(ErrorKind.Invalid, "invalid_params", $"{host} is already added to this app.")
        : new PlatformException(ErrorKind.Conflict, "conflict", $"{host} is already in use by another app. A domain can belong to only one app.");

    private Domain Default(App app) => new()
    {
        Id = StableId("domain:" + app.Id),
        AppId = app.Id,
        AppName = app.Name,
        Hostname = $"{app.Name}.{settings.Domain}",
        Kind = DomainKind.Heroku,
        Cname = null,
        CreatedAt = app.CreatedAt,
        UpdatedAt = app.CreatedAt,
    };

    private Domain Custom(DomainStore.Row row, string appName) => new()
    {
        Id = row.Id,
        AppId = row.AppId,
        AppName = appName,
        Hostname = row.Hostname,
        Kind = DomainKind.Custom,
        Cname = $"{appName}.{settings.Domain}",
        CreatedAt = row.CreatedAt,
        UpdatedAt = row.UpdatedAt,
    };

    /// <summary>A UUID (version 3 layout) that stays the same for the same input, for rows we do not store.</summary>
    private static string StableId(string name)
    {
        var hash = MD5.HashData(Encoding.UTF8.GetBytes("nuvem:" + name));
        hash[6] = (byte)((hash[6] & 0x0f) | 0x30);
        hash[8] = (byte)((hash[8] & 0x3f) | 0x80);
        return new Guid(hash, bigEndian: true).ToString();
    }
}
