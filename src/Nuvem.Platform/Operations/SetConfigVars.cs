using Nuvem.Platform.Apps;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Events;
using Nuvem.Platform.Releases;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Operations;

/// <summary>
/// Setting and unsetting config vars (<c>PATCH /apps/{app}/config-vars</c>): a change is a new release with the current
/// slug, made in the same transaction (so it is recorded, visible and can be rolled back), its release phase run in the
/// background when the slug has one, and the dynos restarted on it by the scheduler. An unchanged config makes nothing.
/// </summary>
public sealed class SetConfigVars(Database database, ConfigVarService config, ReleaseService releases, ReleasePhase releasePhase, IScheduler scheduler,
    IEnumerable<IAppEvents>? events = null)
{
    /// <param name="changes">A value sets its key; null removes it. Everything is checked before anything changes.</param>
    /// <returns>The config vars after the change, and the release it made (null when nothing changed).</returns>
    public (IReadOnlyDictionary<string, string> Vars, Release? Release) Run(App app, string userId, IReadOnlyDictionary<string, string?> changes)
    {
        ConfigVarService.Validate(changes);
        var (change, releaseId) = database.Write((c, t) =>
        {
            var change = config.Apply(c, t, app, changes);
            return (change, change.Changed ? releases.Append(c, t, app.Id, change.Description!, userId, slugId: null, change.Json!) : null);
        });
        if (releaseId is null) return (change.Vars, null);
        var release = releasePhase.RunInBackground(app, releases.Announced(releases.Find(app, releaseId)));
        scheduler.Apply(app.Id);
        events?.ReleaseMade(app, release, deploy: false);
        return (change.Vars, release);
    }
}
