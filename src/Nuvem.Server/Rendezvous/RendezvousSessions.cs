using System.Collections.Concurrent;
using System.Security.Cryptography;
using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Server.Rendezvous;

/// <summary>
/// Attached one-off dynos waiting for their caller to connect to the rendezvous listener. The secret in the
/// <c>attach_url</c> is the only credential: it is random, single-use and expires if nobody comes.
/// </summary>
public sealed class RendezvousSessions
{
    public static readonly TimeSpan ClaimWithin = TimeSpan.FromSeconds(60);

    public sealed record Session(string AppId, string DynoName, IAttachedDyno Dyno, bool Tty);

    private readonly ConcurrentDictionary<string, Session> _waiting = new();

    public string Open(Session session)
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _waiting[secret] = session;
        // Nobody came: the dyno would wait forever for input that never arrives.
        _ = Task.Delay(ClaimWithin).ContinueWith(_ =>
        {
            if (_waiting.TryRemove(secret, out var abandoned)) _ = abandoned.Dyno.StopAsync(TimeSpan.FromSeconds(5));
        }, TaskScheduler.Default);
        return secret;
    }

    public Session? Claim(string secret) => _waiting.TryRemove(secret, out var session) ? session : null;
}
