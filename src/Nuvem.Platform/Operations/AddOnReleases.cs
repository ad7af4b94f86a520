using System.Data;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.Apps;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Releases;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Operations;

/// <summary>
/// What every add-on change that touches an app's config vars does there, as a config change does: the attachment
/// rows, the vars (through <see cref="ConfigVarService"/>, the path config changes take) and a new release, in one
/// transaction; then the release is announced (<c>app[api]: Attach DATABASE (@ref:…) by user …</c>), its release phase
/// runs, and the scheduler restarts the dynos on it.
/// </summary>
public sealed class AddOnReleases(Database database, ConfigVarService config, ReleaseService releases, ReleasePhase releasePhase, IScheduler scheduler)
{
    /// <param name="work">Changes the add-on state inside the transaction and says what the release is
    /// (<c>Attach DATABASE (@ref:…)</c>) and which config vars to set (a value) or remove (null); throwing rolls everything back.</param>
    /// <returns>The release made.</returns>
    public Release Release(App app, string? userId,
        Func<IDbConnection, IDbTransaction, (string Description, IReadOnlyDictionary<string, string?> Changes)> work)
    {
        var releaseId = database.Write((c, t) =>
        {
            var (description, changes) = work(c, t);
            var change = config.Apply(c, t, app, changes);
            return releases.Append(c, t, app.Id, description, userId, slugId: null, change.Json ?? ConfigVarsJson.Serialize(change.Vars));
        });
        var release = releasePhase.RunInBackground(app, releases.Announced(releases.Find(app, releaseId)));
        scheduler.Apply(app.Id);
        return release;
    }

    /// <summary>The vars an add-on's config gives an app through one attachment.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Vars(string attachment, IReadOnlyDictionary<string, string> addOnConfig) =>
        addOnConfig.Select(kv => new KeyValuePair<string, string?>(AttachmentNames.ConfigVar(attachment, kv.Key), kv.Value));

    /// <summary>The same vars, to remove.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Removals(string attachment, IReadOnlyDictionary<string, string> addOnConfig) =>
        addOnConfig.Keys.Select(suffix => new KeyValuePair<string, string?>(AttachmentNames.ConfigVar(attachment, suffix), null));

    /// <summary>A config var the app has that an attachment named <paramref name="attachment"/> would overwrite. Before
    /// provisioning the provider's suffixes are not known yet: <c>URL</c> is the one every service exports.</summary>
    public static string? Overwritten(IReadOnlyDictionary<string, string> appVars, string attachment, IEnumerable<string> suffixes)
    {
        var names = suffixes.DefaultIfEmpty("URL").Select(s => AttachmentNames.ConfigVar(attachment, s));
        return names.FirstOrDefault(appVars.ContainsKey);
    }

    public IReadOnlyDictionary<string, string> VarsOf(App app) => config.Get(app);
}
