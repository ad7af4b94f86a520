using Microsoft.Data.Sqlite;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;

namespace Nuvem.Platform.AddOns;

/// <summary>
/// Finding add-ons and attachments for a caller, as Heroku's API does: a user sees the add-ons their apps own or are
/// attached to, and only those; someone else's is "not found", so names do not leak. Changing or destroying an
/// add-on takes owning its app.
/// </summary>
public sealed class AddOnService(AddOnStore store)
{
    /// <summary>Heroku's resource names in 404 bodies: the CLI's resolvers fall back only on exactly these.</summary>
    public const string AddOnResource = "add_on";
    public const string AttachmentResource = "add_on attachment";

    public static PlatformException AddOnNotFound(string? what = null) =>
        PlatformException.NotFound(AddOnResource, $"Couldn't find that add-on{(what is null ? "" : $" ({what})")}.");

    public static PlatformException AttachmentNotFound() =>
        PlatformException.NotFound(AttachmentResource, "Couldn't find that add-on attachment.");

    /// <summary>The error the heroku CLI answers by asking the user and retrying with <c>confirm</c> set to the app's name.</summary>
    public static PlatformException ConfirmationRequired(string message) => new(ErrorKind.Invalid, "confirmation_required", message);

    public IReadOnlyList<AddOn> List(Account caller) => store.VisibleTo(caller.Id);

    public IReadOnlyList<AddOn> ForApp(App app) => store.ForApp(app.Id);

    /// <summary>An add-on the caller can see, by id or global name.</summary>
    public AddOn Find(Account caller, string idOrName) =>
        store.Find(idOrName.Trim()) is { } addOn && Visible(caller, addOn) ? addOn : throw AddOnNotFound();

    /// <summary>An add-on the caller may change: its owning app is theirs.</summary>
    public AddOn FindOwned(Account caller, string idOrName) =>
        store.Find(idOrName.Trim()) is { } addOn && addOn.OwnerId == caller.Id ? addOn : throw AddOnNotFound();

    /// <summary>The app's add-on (owned or attached) by id, name or the app's attachment name.</summary>
    public AddOn FindIn(App app, string idOrName)
    {
        var key = idOrName.Trim();
        if (store.Find(key) is { } addOn && (addOn.AppId == app.Id || store.AttachmentsOf(addOn.Id).Any(a => a.AppId == app.Id))) return addOn;
        if (store.AttachmentIn(app.Id, key) is { } attachment && store.Find(attachment.AddOnId) is { } attached) return attached;
        throw AddOnNotFound();
    }

    public AddOn? Get(string id) => store.Find(id);

    public IReadOnlyList<AddOnAttachment> Attachments(Account caller) => store.AttachmentsVisibleTo(caller.Id);

    public IReadOnlyList<AddOnAttachment> AttachmentsIn(App app) => store.AttachmentsIn(app.Id);

    public IReadOnlyList<AddOnAttachment> AttachmentsOf(AddOn addOn) => store.AttachmentsOf(addOn.Id);

    /// <summary>An attachment the caller can see: to one of their apps, or of an add-on they own.</summary>
    public AddOnAttachment FindAttachment(Account caller, string id) =>
        store.Attachment(id.Trim()) is { } attachment && VisibleAttachment(caller, attachment) ? attachment : throw AttachmentNotFound();

    /// <summary>The app's attachment by id, name, or config var (<c>DATABASE_URL</c> → <c>DATABASE</c>).</summary>
    public AddOnAttachment FindAttachmentIn(App app, string idOrName) =>
        AttachmentNamed(app.Id, idOrName.Trim()) ?? throw AttachmentNotFound();

    private AddOnAttachment? AttachmentNamed(string appId, string key) =>
        store.AttachmentIn(appId, key)
        ?? (key.EndsWith("_URL", StringComparison.Ordinal) ? store.AttachmentIn(appId, key[..^4]) : null);

    /// <summary>
    /// <c>POST /actions/addons/resolve</c>: what a user typed for an add-on — its name or id, an attachment name in
    /// <paramref name="app"/>, or <c>app::attachment</c> — to the add-ons it names.
    /// </summary>
    public IReadOnlyList<AddOn> Resolve(Account caller, string typed, Func<string, App?> appNamed, string? appName, string? service)
    {
        var (scopeApp, key) = Split(typed, appName);
        var found = new List<AddOn>();
        if (store.Find(key) is { } direct && Visible(caller, direct)) found.Add(direct);
        if (scopeApp is not null && appNamed(scopeApp) is { } app && AttachmentNamed(app.Id, key) is { } attachment
            && store.Find(attachment.AddOnId) is { } attached && found.All(a => a.Id != attached.Id)) found.Add(attached);
        var matches = found.Where(a => service is null || a.Service == service).ToList();
        return matches.Count > 0 ? matches : throw AddOnNotFound(typed);
    }

    /// <summary>
    /// <c>POST /actions/addon-attachments/resolve</c>: an attachment's id; its name (or config var) in
    /// <paramref name="appName"/>; <c>app::name</c>; or an add-on's name (its attachments, in that app when one is given).
    /// </summary>
    public IReadOnlyList<AddOnAttachment> ResolveAttachments(Account caller, string typed, Func<string, App?> appNamed, string? appName, string? service)
    {
        var (scopeApp, key) = Split(typed, appName);
        var app = scopeApp is null ? null : appNamed(scopeApp);
        var found = new List<AddOnAttachment>();
        if (store.Attachment(key) is { } byId && VisibleAttachment(caller, byId) && (app is null || byId.AppId == app.Id)) found.Add(byId);
        if (app is not null && AttachmentNamed(app.Id, key) is { } named && found.All(a => a.Id != named.Id)) found.Add(named);
        if (found.Count == 0 && store.Find(key) is { } addOn && Visible(caller, addOn))
            found.AddRange(store.AttachmentsOf(addOn.Id).Where(a => app is null ? VisibleAttachment(caller, a) : a.AppId == app.Id));
        var matches = found.Where(a => service is null || store.Find(a.AddOnId)?.Service == service).ToList();
        return matches.Count > 0 ? matches : throw AttachmentNotFound();
    }

    /// <summary>Renames an add-on (Heroku's <c>PATCH … {"name"}</c>): names stay globally unique.</summary>
    public AddOn Rename(AddOn addOn, string name)
    {
        if (name == addOn.Name) return addOn;
        AddOnNames.Validate(name);
        try { store.Rename(addOn.Id, name); }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) { throw PlatformException.Invalid($"The name {name} is already taken."); }
        return store.Find(addOn.Id)!;
    }

    private static (string? App, string Key) Split(string typed, string? appName)
    {
        var text = typed.Trim();
        var separator = text.IndexOf("::", StringComparison.Ordinal);
        return separator > 0 ? (text[..separator], text[(separator + 2)..]) : (string.IsNullOrWhiteSpace(appName) ? null : appName.Trim(), text);
    }

    private bool Visible(Account caller, AddOn addOn) =>
        addOn.OwnerId == caller.Id || store.AttachmentsOf(addOn.Id).Any(a => a.AppOwnerId == caller.Id);

    private bool VisibleAttachment(Account caller, AddOnAttachment attachment) =>
        attachment.AppOwnerId == caller.Id || store.Find(attachment.AddOnId)?.OwnerId == caller.Id;
}
