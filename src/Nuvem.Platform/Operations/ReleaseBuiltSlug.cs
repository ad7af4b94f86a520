using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Events;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Operations;

/// <summary>
/// The end of a push: the built slug is recorded, a release of it deployed ("Deploy 1a2b3c4"), and its release phase
/// run with the build's output — the same services an API deploy uses, so Builds never names Releases — and the
/// scheduler told, so a push (git or <c>POST /builds</c>) is one call for its handler.
/// </summary>
public sealed class ReleaseBuiltSlug(SlugStore slugs, PlatformSettings settings, ReleaseService releases, ReleasePhase releasePhase,
    IScheduler scheduler, IEnumerable<IAppEvents>? events = null)
    : IBuiltSlugReleaser
{
    public BuiltRelease Release(App app, string userId, BuiltSlug slug, string? commit)
    {
        var slugId = slugs.InsertBuilt(app.Id, slug.ProcessTypes, commit, slug.Description, settings.Stack, slug.Stored);
        var made = releases.Deploy(app, userId, slugId, description: null);
        // The new release's dynos start now, while the push finishes, not at the scheduler's next pass.
        if (made.Status == ReleaseStatus.Succeeded) scheduler.Apply(app.Id);
        events?.ReleaseMade(app, made, deploy: true);
        return new BuiltRelease(slugId, made.Id, made.Version, made.Status == ReleaseStatus.Pending);
    }

    public async Task<bool> RunReleasePhaseAsync(App app, BuiltRelease release, Func<string, Task> say)
    {
        var pending = releases.Find(app, release.ReleaseId);
        var completed = await releasePhase.RunAsync(app, pending, say);
        events?.ReleaseUpdated(app, completed);
        if (completed.Status != ReleaseStatus.Succeeded) return false;
        scheduler.Apply(app.Id);
        return true;
    }

    public void BuildChanged(App app, Build build, bool created) => events?.BuildChanged(app, build, created);
}
