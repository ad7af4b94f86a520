namespace Nuvem.Platform.Accounts;

/// <summary>A person who uses the platform. Admins may also manage other accounts.</summary>
public sealed record Account
{
    public required string Id { get; init; }
    public required string Email { get; init; }
    public bool IsAdmin { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>An API token ("OAuth authorization" in Heroku's API). The token itself is only known at creation.</summary>
public sealed record Authorization
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public string Description { get; init; } = "";
    public string Scope { get; init; } = "global";
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A freshly issued token: the one moment the plain token exists outside the client.</summary>
public sealed record IssuedToken(Authorization Authorization, string Token);

/// <summary>Who is calling: the account and the authorization (token) it used.</summary>
public sealed record Caller(Account Account, Authorization Authorization);
