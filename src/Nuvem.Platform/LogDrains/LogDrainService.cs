using Microsoft.Data.Sqlite;
using Nuvem.Platform.Apps;
using Nuvem.Platform.State;

namespace Nuvem.Platform.LogDrains;

/// <summary>An app's log drains: added, listed and removed (by id, token or URL). Delivering lines to them is not done yet.</summary>
public sealed class LogDrainService(Database database)
{
    /// <summary>Heroku's limit of drains per app (without add-ons).</summary>
    public const int MaxDrainsPerApp = 5;

    private readonly LogDrainStore _store = new(database);

    public IReadOnlyList<LogDrain> List(App app) => _store.List(app.Id);

    /// <summary>By id, token or URL (exactly as added).</summary>
    public LogDrain Find(App app, string idTokenOrUrl)
    {
        var key = idTokenOrUrl.Trim();
        return _store.Find(app.Id, key) ?? throw PlatformException.NotFound("log_drain", $"Couldn't find that log drain ({key}) on {app.Name}.");
    }

    public LogDrain Add(App app, string? url)
    {
        var valid = Validate(url);
        var id = Guid.NewGuid().ToString();
        try
        {
            _store.Insert(id, app.Id, valid, "d." + Guid.NewGuid(), MaxDrainsPerApp, duplicate => duplicate
                ? AlreadyAdded(valid, app)
                : PlatformException.Invalid($"{app.Name} already has {MaxDrainsPerApp} log drains, the most an app can have. Remove one first."));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT: the same URL added meanwhile */)
        {
            throw AlreadyAdded(valid, app);
        }
        return Find(app, id);
    }

    public LogDrain Remove(App app, string idTokenOrUrl)
    {
        var drain = Find(app, idTokenOrUrl);
        _store.Delete(drain.Id);
        return drain;
    }

    /// <summary>
    /// The URLs a drain can have: syslog over TCP (<c>syslog://</c>), over TLS (<c>syslog+tls://</c>), or HTTPS
    /// (<c>https://</c>, Heroku's HTTPS drains). Anything else could never be delivered, so it is refused now.
    /// </summary>
    public static string Validate(string? url)
    {
        var text = url?.Trim() ?? "";
        if (text.Length == 0) throw PlatformException.Invalid("A log drain needs a url.");
        if (text.Length > 2048) throw PlatformException.Invalid("A log drain's url can be at most 2048 characters long.");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw PlatformException.Invalid($"{text} is not a valid URL. Use syslog://HOST:PORT, syslog+tls://HOST:PORT or https://HOST/PATH.");
        switch (uri.Scheme)
        {
            case "syslog" or "syslog+tls":
                if (uri.IsDefaultPort || uri.Port <= 0)
                    throw PlatformException.Invalid($"{text} needs a port: {uri.Scheme}://HOST:PORT.");
                break;
            case "https":
                break;
            default:
                throw PlatformException.Invalid($"{uri.Scheme}:// drains are not supported. Use syslog://, syslog+tls:// or https://.");
        }
        return text;
    }

    private static PlatformException AlreadyAdded(string url, App app) => PlatformException.Invalid($"{url} is already a log drain of {app.Name}.");
}
