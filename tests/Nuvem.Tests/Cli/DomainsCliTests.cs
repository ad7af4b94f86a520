using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Cli;

/// <summary><c>nuvem domains</c>, <c>domains:add</c>, <c>domains:info</c> and <c>domains:remove</c>: the real binary, Heroku-shaped output.</summary>
[Collection(ServerCollection.Name)]
public sealed class DomainsCliTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task Add_list_info_and_remove_domains()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var app = $"dom-{Guid.NewGuid().ToString("N")[..8]}";
        (await cli.RunAsync("apps:create", app)).Succeeded();

        var only = (await cli.RunAsync("domains", "-a", app)).Succeeded();
        Assert.Equal($"=== {app} Heroku Domain\n{app}.localhost\n", only.Stdout);

        var sub = $"www.{app}.example.com";
        var apex = $"{app}.net";
        var add = (await cli.RunAsync("domains:add", sub.ToUpperInvariant(), "-a", app)).Succeeded();
        Assert.Equal($"Adding {sub} to {app}... done\n" +
                     $"Configure your app's DNS provider to point to the DNS Target {app}.localhost (a CNAME record for {sub}).\n", add.Stdout);
        Assert.Contains("ALIAS or ANAME record", (await cli.RunAsync("domains:add", apex, "-a", app)).Succeeded().Stdout);

        var list = (await cli.RunAsync("domains", "-a", app)).Succeeded().Stdout.Split('\n');
        Assert.Equal($"=== {app} Heroku Domain", list[0]);
        Assert.Equal($"{app}.localhost", list[1]);
        Assert.Equal("", list[2]);
        Assert.Equal($"=== {app} Custom Domains", list[3]);
        Assert.Matches("^Domain Name +DNS Record Type +DNS Target +SNI Endpoint$", list[4]);
        Assert.Matches($"^{apex.Replace(".", "\\.")} +ALIAS or ANAME +{app}\\.localhost$", list[5]);
        Assert.Matches($"^{sub.Replace(".", "\\.")} +CNAME +{app}\\.localhost$", list[6]);

        var info = (await cli.RunAsync("domains:info", sub, "-a", app)).Succeeded().Stdout;
        Assert.StartsWith($"=== {sub}\n", info);
        Assert.Matches($"\nApp: +{app}\n", info);
        Assert.Matches($"\nCname: +{app}\\.localhost\n", info);
        Assert.Matches("\nKind: +custom\n", info);
        Assert.Matches("\nStatus: +none\n", info);

        Assert.Equal($"Removing {sub} from {app}... done\n", (await cli.RunAsync("domains:remove", sub, "-a", app)).Succeeded().Stdout);
        Assert.DoesNotContain(sub, (await cli.RunAsync("domains", "-a", app)).Succeeded().Stdout);
    }

    [Fact]
    public async Task Errors_are_the_servers_messages_with_a_nonzero_exit()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var app = $"dom-{Guid.NewGuid().ToString("N")[..8]}";
        (await cli.RunAsync("apps:create", app)).Succeeded();

        Assert.Contains("not a valid host name", (await cli.RunAsync("domains:add", "bad_name.example.com", "-a", app)).Failed().Stderr);
        Assert.Contains("cannot be removed", (await cli.RunAsync("domains:remove", $"{app}.localhost", "-a", app)).Failed().Stderr);
        Assert.Contains("Couldn't find that domain", (await cli.RunAsync("domains:info", "nowhere.example.com", "-a", app)).Failed().Stderr);
    }
}
