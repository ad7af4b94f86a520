using System.Collections.Concurrent;
using System.Security.Cryptography;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;

namespace Nuvem.Server.Git;

/// <summary>
/// Who is pushing to which app, for the pre-receive hook's call back into the platform. A receive-pack run
/// gets a random one-time token in its environment; the hook presents it, so the hook needs no credentials
/// of its own and cannot build for anyone else.
/// </summary>
public sealed class PushSessions
{
    public sealed record Session(App App, Account Pusher);

    private readonly ConcurrentDictionary<string, Session> _sessions = new();

    public string Open(App app, Account pusher)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _sessions[token] = new Session(app, pusher);
        return token;
    }

    public Session? Take(string token) => _sessions.TryRemove(token, out var session) ? session : null;

    public void Close(string token) => _sessions.TryRemove(token, out _);
}
