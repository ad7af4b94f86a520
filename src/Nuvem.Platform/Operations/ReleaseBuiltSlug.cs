using Dapper;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Releases;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Operations;

/// <summary>
/// The end of a push: the built slug is recorded, a release of it deployed ("Deploy 1a2b3c4"), and its release phase
/// run with the build's output — the same services an API deploy uses, so Builds never names Releases.
/// </summary>
public sealed class ReleaseBuiltSlug(Database database, PlatformSettings settings, ReleaseService releases, ReleasePhase releasePhase)
    : IBuiltSlugReleaser
{
    public BuiltRelease Release(App app, string userId, BuiltSlug slug, string? commit)
    {
        var slugId = RecordSlug(app, slug, commit);
        var made = releases.Deploy(app, userId, slugId, description: null);
        return new BuiltRelease(slugId, made.Id, made.Version, made.Status == ReleaseStatus.Pending);
    }

    public async Task<bool> RunReleasePhaseAsync(App app, BuiltRelease release, Func<string, Task> say)
    {
        var pending = releases.Find(app, release.ReleaseId);
        var completed = await releasePhase.RunAsync(app, pending, say);
        return completed.Status == ReleaseStatus.Succeeded;
    }

    // TODO(merge): SlugStore — this insert belongs to the slugs table's store (Slugs/SlugStore.cs, made on another branch).
    private string RecordSlug(App app, BuiltSlug slug, string? commit)
    {
        var id = Guid.NewGuid().ToString();
        database.Write((c, t) => c.Execute("""
            INSERT INTO slugs (id, app_id, process_types, commit_sha, buildpack_provided_description, stack, checksum, size, created_at, updated_at)
            VALUES (@id, @appId, @types, @commit, @description, @stack, @Checksum, @Size, @now, @now)
            """, new
        {
            id, appId = app.Id, types = System.Text.Json.JsonSerializer.Serialize(slug.ProcessTypes), commit, description = slug.Description,
            stack = settings.Stack, slug.Stored.Checksum, slug.Stored.Size, now = Timestamp.Now(),
        }, t));
        return id;
    }
}
