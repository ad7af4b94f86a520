using Nuvem.Cli.Api;
using Nuvem.Cli.Configuration;
using Nuvem.Cli.Credentials;
using Nuvem.Cli.Input;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands;

/// <summary>
/// What a running command needs from its surroundings: where the server is, who we are there, and where to
/// print. Resolved lazily, so commands that never talk to the server (e.g. <c>--help</c>) never touch the
/// config file or ~/.netrc.
/// </summary>
public sealed class CommandContext : IDisposable
{
    private readonly List<IDisposable> owned = [];
    private CliConfig? config;
    private NuvemHost? host;

    public Terminal Out { get; } = Terminal.ForStandardOutput();

    public Prompter Prompter { get; } = new();

    public CliConfig Config => config ??= CliConfig.Load();

    /// <summary><c>NUVEM_HOST</c>, else the host saved by <c>login</c>, else https://localhost:5443.</summary>
    public NuvemHost Host => host ??= NuvemHost.Resolve(explicitHost: null, Config);

    /// <summary><c>NUVEM_API_KEY</c> when set, else the netrc password of this host's machine.</summary>
    public string? FindToken()
    {
        var fromEnv = Environment.GetEnvironmentVariable("NUVEM_API_KEY");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv.Trim();
        var password = Netrc.Load().Find(Host.MachineName)?.Password;
        return string.IsNullOrEmpty(password) ? null : password;
    }

    public string RequireToken() =>
        FindToken() ?? throw new CliException($"Not logged in to {Host}. Run `nuvem login`.");

    /// <summary>A client authenticated as the logged-in user.</summary>
    public PlatformClient Api() => Own(PlatformClient.WithToken(Host, RequireToken(), Trust()));

    /// <summary>A client for URLs that carry their own credential (output streams, uploads); it sends no token.</summary>
    public SignedUrlClient SignedUrls() => Own(new SignedUrlClient(Trust()));

    public TrustedCertificates Trust(string? explicitCaFile = null) => TrustedCertificates.Resolve(explicitCaFile, Config);

    public T Own<T>(T disposable) where T : IDisposable
    {
        owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        foreach (var item in owned) item.Dispose();
    }
}
