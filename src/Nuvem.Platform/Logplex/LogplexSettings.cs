namespace Nuvem.Platform.Logplex;

/// <summary>Limits of the log stream; Heroku's values by default.</summary>
public sealed record LogplexSettings
{
    /// <summary>Lines kept per app (Heroku keeps 1,500); also the most a log session can ask for.</summary>
    public int MaxLinesPerApp { get; init; } = 1500;

    /// <summary>Longer lines are split into chunks of at most this many UTF-8 bytes, as Heroku does (10,000).</summary>
    public int MaxLineBytes { get; init; } = 10_000;

    /// <summary>Lines a tail session may fall behind before it drops lines (and says so with an L11 line).</summary>
    public int TailBufferLines { get; init; } = 10_000;

    /// <summary>How often an idle tail session sends an SSE comment so proxies keep the connection open.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a log session's URL can be opened (and re-opened by a reconnecting tail).</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(24);
}
