using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Events;
using Nuvem.Platform.Releases;

namespace Nuvem.Platform.Operations;

/// <summary>Rolling back (<c>POST /apps/{app}/releases {"release"}</c>): a new release with an earlier release's slug and
/// config vars ("Rollback to v3"), through the release phase like any release, then the scheduler.</summary>
public sealed class Rollback(ReleaseService releases, ReleasePhase releasePhase, IScheduler scheduler, IEnumerable<IAppEvents>? events = null)
{
    /// <param name="target">The release to go back to: "3", "v3" or its id.</param>
    public Release Run(App app, string userId, string target)
    {
        var release = releasePhase.RunInBackground(app, releases.Rollback(app, userId, target));
        scheduler.Apply(app.Id);
        events?.ReleaseMade(app, release, deploy: false);
        return release;
    }
}
