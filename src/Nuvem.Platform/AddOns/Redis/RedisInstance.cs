using System.Security.Cryptography;

namespace Nuvem.Platform.AddOns.Redis;

/// <summary>
/// One add-on's server, as the platform records it in its folder (<c>instance.json</c>, root's only): the name (the
/// provider id, also the folder's), the add-on it belongs to (a retried provision finds it), its port (kept across
/// restarts), its plan and its password (from which the server's configuration is written again at each start).
/// </summary>
public sealed record RedisInstance(string Name, string AddOnId, int Port, string Plan, string Password)
{
    private const string Lower = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string Mixed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A letter, then lower-case letters and digits: a safe folder name.</summary>
    public static string NewName() => "r" + RandomNumberGenerator.GetString(Lower, 15);

    /// <summary>48 letters and digits (~285 bits): safe in a URL and in redis.conf without quoting.</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString(Mixed, 48);

    /// <summary>The lowest port of <paramref name="range"/> no instance has and nothing else <paramref name="busy"/>
    /// holds, or null when all are taken.</summary>
    public static int? FreePort(IEnumerable<int> range, IEnumerable<int> taken, Func<int, bool>? busy = null)
    {
        var used = taken.ToHashSet();
        foreach (var port in range) if (!used.Contains(port) && busy?.Invoke(port) != true) return port;
        return null;
    }

    /// <summary>Heroku's shape, with an empty user: clients send <c>AUTH password</c>, which logs in as <c>default</c>.</summary>
    public string Url(string host) => $"redis://:{Password}@{host}:{Port}";
}
