namespace Nuvem.Platform.Builds;

public static class BuildStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>A build turns source (a git push or a tarball) into a slug; the <see cref="Builder"/> runs it.</summary>
public sealed record Build
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string Status { get; init; }
    public string? UserId { get; init; }
    public string? UserEmail { get; init; }
    public string? SlugId { get; init; }
    public string? ReleaseId { get; init; }
    public string? SourceUrl { get; init; }
    public string? SourceVersion { get; init; }
    /// <summary>Where the build's output is stored (one line per line of output).</summary>
    public string? OutputPath { get; init; }
    /// <summary>The buildpacks that built it, comma-separated, once known.</summary>
    public string? Buildpacks { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
