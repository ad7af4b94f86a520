namespace Nuvem.Platform.Builds;

/// <summary>Limits of a build.</summary>
public sealed record BuildSettings
{
    /// <summary>A build running longer is stopped and fails.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Largest compressed slug, like Heroku's 500 MB.</summary>
    public long MaxSlugBytes { get; init; } = 500L * 1024 * 1024;

    /// <summary>Memory, CPU and process caps of every build step.</summary>
    public BuildResources Resources { get; init; } = new();
}
