using Nuvem.Platform.Apps;
using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Builds;

/// <summary>What one build is asked to make: a slug of <paramref name="Source"/> for <paramref name="App"/>.</summary>
/// <param name="BuildId">The build record's id: names the build dyno and everything it holds.</param>
/// <param name="Buildpacks">The app's buildpacks as its owner named them, in order; empty: the first built-in that detects.</param>
/// <param name="ConfigVars">The app's config, given to buildpacks as ENV_DIR files (never as the steps' environment).</param>
/// <param name="Limits">Time, memory, disk and slug size the build may use.</param>
public sealed record BuildRequest(
    App App,
    string BuildId,
    BuildSource Source,
    IReadOnlyList<string> Buildpacks,
    IReadOnlyDictionary<string, string> ConfigVars,
    BuildSettings Limits);

/// <summary>A packed slug, stored, with what the build learnt about it.</summary>
/// <param name="ProcessTypes">The Procfile's types over the buildpacks' default ones.</param>
/// <param name="Description">What the first buildpack detected ("Node.js"): the slug's buildpack_provided_description.</param>
public sealed record BuiltSlug(StoredSlug Stored, IReadOnlyDictionary<string, string> ProcessTypes, string? Description);

/// <summary>How a build ended: a slug, or the reason it failed, meant for the person who pushed.</summary>
/// <param name="Buildpacks">The buildpacks that ran, comma-separated, once known (also when the build failed).</param>
public sealed record BuildOutcome(BuiltSlug? Slug, string? Buildpacks, string? Failure)
{
    public static BuildOutcome Built(BuiltSlug slug, string? buildpacks) => new(slug, buildpacks, null);

    public static BuildOutcome Failed(string reason, string? buildpacks) => new(null, buildpacks, reason);
}

/// <summary>
/// Runs a whole build — source in, packed slug out — somewhere: a build dyno of this host today
/// (<see cref="LocalBuildExecutor"/>), a Kubernetes Job later. The <see cref="Builder"/> around it records the build,
/// takes turns and says how it ended; an executor only builds.
/// </summary>
public interface IBuildExecutor
{
    /// <param name="output">Receives every line of build output as it happens.</param>
    /// <param name="cancellation">Cancels the build ("Build cancelled."); running over <see cref="BuildSettings.Timeout"/>
    /// fails it too ("Build timed out").</param>
    /// <returns>The slug, or the failure with its reason. Only an unexpected fault of the platform throws.</returns>
    Task<BuildOutcome> RunAsync(BuildRequest request, Func<string, Task> output, CancellationToken cancellation);
}
