namespace Nuvem.Platform.Logplex;

/// <summary>One line of an app's log stream, as Heroku prints it: <c>2026-11-27T08:00:00.000000+00:00 app[web.1]: hello</c>.</summary>
/// <param name="Source"><c>app</c> (the app's own output, and <c>app[api]</c> for platform API events) or <c>heroku</c> (router, dyno manager).</param>
/// <param name="Dyno">The process that spoke: <c>web.1</c>, <c>run.4821</c>, <c>router</c>, <c>api</c>.</param>
public sealed record LogLine(long Id, DateTimeOffset Timestamp, string Source, string Dyno, string Message)
{
    public override string ToString() => $"{Timestamp.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff}+00:00 {Source}[{Dyno}]: {Message}";
}

/// <summary>
/// The log stream of every app (Heroku's logplex): dyno output, router lines and platform events merged in
/// order, the last lines kept per app. Publishing never blocks or fails the caller.
/// </summary>
public interface ILogplex
{
    void Publish(string appId, string source, string dyno, string message);

    /// <summary>A line written at <paramref name="at"/> (a dyno's line read from its log file later, say), not now.</summary>
    void Publish(string appId, string source, string dyno, string message, DateTimeOffset? at) => Publish(appId, source, dyno, message);

    /// <summary>Completes once every line published before the call is stored (for callers that must not lose lines).</summary>
    Task FlushAsync(CancellationToken cancellation = default) => Task.CompletedTask;

    /// <summary>Drops what is kept of a destroyed app's log in memory and ends its followers' streams (the stored lines
    /// go with the app's database row).</summary>
    void Forget(string appId) { }
}
