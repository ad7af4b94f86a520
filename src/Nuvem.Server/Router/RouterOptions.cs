namespace Nuvem.Server.Router;

/// <summary>How the app router listens and how long it waits (Heroku's router timeouts by default).</summary>
public sealed record RouterOptions
{
    /// <summary>NUVEM_ROUTER_PORT; 0 picks a free port (tests, benchmarks).</summary>
    public int Port { get; init; } = 5080;

    /// <summary>Where to listen, as the API does: "*" (all interfaces), "localhost" (both loopbacks) or one IP address.</summary>
    public string Bind { get; init; } = "*";

    /// <summary>NUVEM_ROUTER_TIMEOUT: a dyno must start its response (headers) within this time, else H12.</summary>
    public TimeSpan FirstByteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After the first byte, each byte either way restarts this window; idle longer and the connection is dropped.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(55);

    /// <summary>Time to open a connection to a dyno before trying another (H19 when none answers).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
