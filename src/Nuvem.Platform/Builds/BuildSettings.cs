namespace Nuvem.Platform.Builds;

/// <summary>Limits of a build.</summary>
public sealed record BuildSettings
{
    /// <summary>A build running longer is stopped and fails.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Largest compressed slug, like Heroku's 500 MB.</summary>
    public long MaxSlugBytes { get; init; } = 500L * 1024 * 1024;

    /// <summary>Memory, CPU, process and disk caps of every build.</summary>
    public BuildResources Resources { get; init; } = new();

    /// <summary>Builds running at once across all apps (each app builds one at a time anyway); later ones wait their turn.</summary>
    public int Concurrency { get; init; } = 2;

    /// <summary>
    /// Host directories an app may name as its buildpack (the admin's allow-list, NUVEM_BUILDPACK_DIRS): a buildpack
    /// directory is bound read-only into the build dyno, so only what the admin vouches for may be one.
    /// </summary>
    public IReadOnlyList<string> BuildpackDirectories { get; init; } = [];
}
