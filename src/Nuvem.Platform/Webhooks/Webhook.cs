using System.Text.Json;

namespace Nuvem.Platform.Webhooks;

/// <summary>An app webhook: the entities (<c>api:release</c>, <c>api:build</c>) whose changes are POSTed to
/// <see cref="Url"/>, signed with <see cref="Secret"/>. The secret and Authorization header are never shown back.</summary>
public sealed record Webhook
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string Url { get; init; }
    public required string Level { get; init; }
    public string IncludeJson { get; init; } = "[]";
    public IReadOnlyList<string> Include => JsonSerializer.Deserialize<List<string>>(IncludeJson) ?? [];
    public string? Secret { get; init; }
    public string? AuthorizationHeader { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Something that happened to an app, as offered to its webhooks (<c>/apps/{app}/webhook-events</c>).</summary>
public sealed record WebhookEvent
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string Include { get; init; }
    /// <summary>The body POSTed to every webhook of the event (Heroku's shape, see <see cref="WebhookPayload"/>).</summary>
    public required string PayloadJson { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Scheduled = "scheduled";
    public const string Retrying = "retrying";
    public const string Failed = "failed";
    public const string Succeeded = "succeeded";
}

/// <summary>One event sent to one webhook: its attempts so far and the last one's outcome.</summary>
public sealed record WebhookDelivery
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string WebhookId { get; init; }
    public required string EventId { get; init; }
    public required string Status { get; init; }
    public long NumAttempts { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    /// <summary>The last attempt's HTTP status; null when none was made or it got no response.</summary>
    public long? LastCode { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
