using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.HerokuCli;

/// <summary>A platform server, the installed heroku CLI with its own HOME, logged in once with <c>heroku login -i</c>.</summary>
public sealed class HerokuCliFixture : IAsyncLifetime
{
    public NuvemServer Server { get; private set; } = null!;
    public ProxyTrap Proxy { get; } = new();
    public HerokuCliSession Cli { get; private set; } = null!;

    /// <summary>What <c>heroku login -i</c> printed; the login test checks it.</summary>
    public HerokuCliSession.Result Login { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var install = HerokuCliPackage.EnsureInstalledAsync();
        Server = await NuvemServer.StartNewAsync();
        Cli = new HerokuCliSession(Server, await install, Proxy);
        Login = await Cli.LoginAsync(NuvemServer.AdminEmail, NuvemServer.AdminPassword);
    }

    public async Task DisposeAsync()
    {
        Cli?.Dispose();
        Proxy.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }
}
