namespace Nuvem.Platform.Dynos;

/// <summary>A process of an app as the dyno manager sees it: <c>web.1</c> running the release's <c>web</c> command.</summary>
public sealed record Dyno
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Command { get; init; }
    public required string State { get; init; }
    public required string Size { get; init; }
    public long? ReleaseVersion { get; init; }
    public string? ReleaseId { get; init; }
    /// <summary>Where a web dyno listens, for operators and <c>ps --extended</c>.</summary>
    public Uri? Address { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
