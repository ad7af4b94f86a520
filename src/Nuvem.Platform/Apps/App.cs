namespace Nuvem.Platform.Apps;

/// <summary>An application: a name, an owner, config vars and a history of releases.</summary>
public sealed record App
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string OwnerId { get; init; }
    public required string OwnerEmail { get; init; }
    public required string Region { get; init; }
    public required string Stack { get; init; }
    /// <summary>The unprivileged user id the app's builds (and dynos) run as; unique per app.</summary>
    public int Uid { get; init; }
    public bool Maintenance { get; init; }
    /// <summary>Size of the app's git repository in bytes; null until the first push.</summary>
    public long? RepoSize { get; init; }
    /// <summary>Size of the current release's slug in bytes; null until the first deploy.</summary>
    public long? SlugSize { get; init; }
    public DateTimeOffset? ReleasedAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
