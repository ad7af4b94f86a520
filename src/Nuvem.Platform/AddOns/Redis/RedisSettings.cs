namespace Nuvem.Platform.AddOns.Redis;

/// <summary>The Redis servers as the operator configured them (NUVEM_REDIS_*) and the composition root derived them.</summary>
/// <param name="Directory">Everything of the servers: DATA_DIR/addons/redis, one folder per add-on.</param>
/// <param name="FirstPort">The ports add-ons get, one each: <paramref name="FirstPort"/>..<paramref name="LastPort"/>.</param>
/// <param name="ListenAddresses">127.0.0.1, and the dyno bridge's gateway when dynos reach the host there.</param>
/// <param name="DynoHost">The host in the URLs handed to apps.</param>
/// <param name="OsUser">The unprivileged user the servers run as (Debian's <c>redis</c>); ignored when the platform is not root.</param>
public sealed record RedisSettings(
    string Directory,
    int FirstPort,
    int LastPort,
    IReadOnlyList<string> ListenAddresses,
    string DynoHost,
    string ServerBinary = "/usr/bin/redis-server",
    string OsUser = "redis")
{
    public IEnumerable<int> Ports => Enumerable.Range(FirstPort, LastPort - FirstPort + 1);

    /// <summary>Reads NUVEM_REDIS_PORTS' form, <c>6380-6479</c>.</summary>
    /// <exception cref="ArgumentException">Not a range of TCP ports.</exception>
    public static (int First, int Last) ParsePorts(string text)
    {
        var parts = text.Split('-', 2, StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var last)
            && first is >= 1 and <= 65535 && last is >= 1 and <= 65535 && first <= last)
            return (first, last);
        throw new ArgumentException($"NUVEM_REDIS_PORTS must be a range of TCP ports like 6380-6479, not '{text}'.");
    }
}
