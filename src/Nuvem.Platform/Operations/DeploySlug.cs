using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Events;
using Nuvem.Platform.Releases;

namespace Nuvem.Platform.Operations;

/// <summary>Releasing an existing slug (<c>POST /apps/{app}/releases {"slug"}</c>): a new release with the app's config
/// vars, its release phase in the background when the slug has one, and the dynos moved to it by the scheduler.</summary>
public sealed class DeploySlug(ReleaseService releases, ReleasePhase releasePhase, IScheduler scheduler, IEnumerable<IAppEvents>? events = null)
{
    /// <returns>The release: succeeded, or pending while its release phase runs.</returns>
    public Release Run(App app, string userId, string slugId, string? description)
    {
        var release = releasePhase.RunInBackground(app, releases.Deploy(app, userId, slugId, description));
        scheduler.Apply(app.Id);
        events?.ReleaseMade(app, release, deploy: true);
        return release;
    }
}
