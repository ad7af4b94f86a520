namespace Nuvem.Platform.Slugs;

/// <summary>A built app, ready to run: a tarball of /app plus the process types it declares.</summary>
public sealed record Slug
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required IReadOnlyDictionary<string, string> ProcessTypes { get; init; }
    public string? Commit { get; init; }
    public string? CommitDescription { get; init; }
    public string? BuildpackProvidedDescription { get; init; }
    public required string Stack { get; init; }
    public string? Checksum { get; init; }
    public long? Size { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>What a caller may say about a new slug (Heroku's <c>POST /apps/{app}/slugs</c>).</summary>
public sealed record SlugSpec(
    IReadOnlyDictionary<string, string> ProcessTypes,
    string? Commit = null,
    string? CommitDescription = null,
    string? BuildpackProvidedDescription = null,
    string? Stack = null,
    string? Checksum = null);
