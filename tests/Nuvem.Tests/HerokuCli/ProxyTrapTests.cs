using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.HerokuCli;

/// <summary>
/// The control for the "nothing left the machine" checks of <see cref="HerokuCliTests"/>: with the very same
/// environment, a command that can only be answered by another host (<c>heroku status</c> asks status.heroku.com) is
/// caught by the <see cref="ProxyTrap"/>. So an empty trap there means the CLI tried no other host, not that the trap
/// was bypassed.
/// </summary>
public sealed class ProxyTrapTests
{
    [Fact]
    public async Task The_cli_sends_any_attempt_to_reach_another_host_to_the_trap()
    {
        var binary = await HerokuCliPackage.EnsureInstalledAsync();
        await using var server = await NuvemServer.StartNewAsync();
        using var trap = new ProxyTrap();
        using var cli = new HerokuCliSession(server, binary, trap);

        var status = await cli.RunAsync("status");
        Assert.NotEqual(0, status.ExitCode);
        Assert.Contains(trap.Attempts, a => a.StartsWith("CONNECT status.heroku.com:443 "));
        Assert.DoesNotContain(trap.Attempts, a => a.Contains("localhost") || a.Contains("127.0.0.1")); // NO_PROXY holds
    }
}
