namespace Nuvem.Platform.Domains;

/// <summary>
/// A host name an app answers to. Every app has one <see cref="DomainKind.Heroku"/> domain, its default host
/// <c>NAME.NUVEM_DOMAIN</c> (derived from the name, never stored), and any number of custom ones.
/// </summary>
public sealed record Domain
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string AppName { get; init; }
    public required string Hostname { get; init; }
    public required DomainKind Kind { get; init; }
    /// <summary>Where a custom domain's DNS should point (a CNAME to the app's default host); null for the default host itself.</summary>
    public string? Cname { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Heroku's wire name of the kind: "heroku" or "custom".</summary>
    public string KindName => Kind == DomainKind.Heroku ? "heroku" : "custom";
}

public enum DomainKind
{
    Heroku,
    Custom,
}
