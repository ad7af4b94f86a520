namespace Nuvem.Platform.LogDrains;

/// <summary>
/// A URL an app's log stream is sent to (syslog over TCP or TLS, or HTTPS). <see cref="Token"/> (<c>d.UUID</c>)
/// names the drain in the lines it receives, as Heroku's do.
/// </summary>
public sealed record LogDrain
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string Url { get; init; }
    public required string Token { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
