using Nuvem.Platform.Apps;

namespace Nuvem.Platform.Builds;

/// <summary>A release made of a build's slug, as far as the build knows it.</summary>
/// <param name="ReleasePhasePending">The slug declares a <c>release</c> process: the release waits for it to succeed
/// before it becomes current.</param>
public sealed record BuiltRelease(string SlugId, string ReleaseId, long Version, bool ReleasePhasePending);

/// <summary>
/// What happens to a built slug: turning it into a release is not the builder's job (Builds does not know releases),
/// so the builder hands the slug over here — the deploy operation — once it is packed.
/// </summary>
public interface IBuiltSlugReleaser
{
    /// <summary>Records the slug and deploys a release of it, pending while its release phase has yet to run.</summary>
    /// <param name="commit">The source's version (a git commit), recorded with the slug.</param>
    BuiltRelease Release(App app, string userId, BuiltSlug slug, string? commit);

    /// <summary>Runs the release phase of <paramref name="release"/>, its output said into the build's.</summary>
    /// <returns>Whether the release command succeeded (the release is now current) or not (it is marked failed).</returns>
    Task<bool> RunReleasePhaseAsync(App app, BuiltRelease release, Func<string, Task> say);

    /// <summary>The build was started (<paramref name="created"/>) or finished: told on to the app's event listeners.</summary>
    void BuildChanged(App app, Build build, bool created) { }
}
