namespace Nuvem.Platform.AddOns.Scheduler;

/// <summary>A Heroku Scheduler job of an app: <see cref="Command"/> runs as a one-off <c>scheduler.N</c> dyno on every
/// tick of <see cref="Schedule"/> (a 5-field cron, UTC).</summary>
public sealed class ScheduledJob
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public string AppName { get; init; } = "";
    public required string Command { get; init; }
    public required string Schedule { get; init; }
    /// <summary>A dyno size's name, or null for the default size.</summary>
    public string? Size { get; init; }
    public DateTimeOffset? LastTick { get; init; }
    public DateTimeOffset NextRun { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
