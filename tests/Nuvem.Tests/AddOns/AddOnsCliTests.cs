using System.Text.RegularExpressions;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns;

/// <summary><c>nuvem addons:*</c>, the real binary against a real nuvemd, with the test provider (the framework, not Postgres).</summary>
[Collection(AddOnServerCollection.Name)]
public sealed class AddOnsCliTests(AddOnServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task Services_plans_create_list_info_attach_detach_upgrade_and_destroy()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var app = $"nao-{Guid.NewGuid().ToString("N")[..8]}";
        var other = $"nao-{Guid.NewGuid().ToString("N")[..8]}";
        (await cli.RunAsync("apps:create", app)).Succeeded();
        (await cli.RunAsync("apps:create", other)).Succeeded();

        Assert.Contains("nuvem-test", (await cli.RunAsync("addons:services")).Succeeded().Stdout);
        var plans = (await cli.RunAsync("addons:plans", "nuvem-test")).Succeeded().Stdout;
        Assert.Matches(@"default +nuvem-test:basic +Basic +free", plans);
        Assert.Matches(@"nuvem-test:slow +Slow +\$7/month", plans);
        Assert.Contains($"No add-ons for app {app}.", (await cli.RunAsync("addons", "-a", app)).Succeeded().Stdout);

        var created = (await cli.RunAsync("addons:create", "nuvem-test", "-a", app, "--", "--colour", "red")).Succeeded().Stdout;
        var name = Regex.Match(created, @"Created (nuvemtest-[a-z]+-\d{5}) as NUVEM_TEST_URL").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(name), created);
        Assert.EndsWith("?colour=red\n", (await cli.RunAsync("config:get", "NUVEM_TEST_URL", "-a", app)).Succeeded().Stdout);

        var list = (await cli.RunAsync("addons", "-a", app)).Succeeded().Stdout;
        Assert.Matches($@"nuvem-test \({name}\) +basic +free +created", list);
        Assert.Contains("└─ as NUVEM_TEST", list);
        var info = (await cli.RunAsync("addons:info", name)).Succeeded().Stdout;
        Assert.StartsWith($"=== {name}\n", info);
        Assert.Matches($@"Attachments: +{app}::NUVEM_TEST", info);
        Assert.Matches(@"State: +created", info);

        var attached = (await cli.RunAsync("addons:attach", name, "-a", other, "--as", "shared")).Succeeded().Stdout;
        Assert.Contains($"Setting SHARED config vars and restarting {other}... done, v2", attached);
        Assert.Contains("--confirm", (await cli.RunAsync("addons:attach", name, "-a", other, "--as", "SHARED")).Failed().Stderr);
        var detached = (await cli.RunAsync("addons:detach", "SHARED", "-a", other)).Succeeded().Stdout;
        Assert.Contains($"Unsetting SHARED config vars and restarting {other}... done, v3", detached);

        var upgraded = (await cli.RunAsync("addons:upgrade", name, "slow", "-a", app)).Succeeded().Stdout;
        Assert.Contains($"from nuvem-test:basic to nuvem-test:slow... done, $7/month", upgraded);

        Assert.Contains("--confirm", (await cli.RunAsync("addons:destroy", name, "-a", app)).Failed().Stderr);
        Assert.Contains($"Destroying {name} on {app}... done", (await cli.RunAsync("addons:destroy", name, "-a", app, "--confirm", app)).Succeeded().Stdout);
        Assert.Contains($"No add-ons for app {app}.", (await cli.RunAsync("addons", "-a", app)).Succeeded().Stdout);
    }

    [Fact]
    public async Task Create_in_the_background_and_wait()
    {
        using var cli = new NuvemCli(Server);
        (await cli.LoginAsync()).Succeeded();
        var app = $"naw-{Guid.NewGuid().ToString("N")[..8]}";
        (await cli.RunAsync("apps:create", app)).Succeeded();
        Assert.Contains("is being created in the background", (await cli.RunAsync("addons:create", "nuvem-test:slow", "-a", app)).Succeeded().Stdout);
        Assert.Matches(@"Created nuvemtest-[a-z]+-\d{5} as WAITED_URL", (await cli.RunAsync("addons:create", "nuvem-test:slow", "-a", app, "--as", "waited", "--wait")).Succeeded().Stdout);
        Assert.Contains("unable to be created", (await cli.RunAsync("addons:create", "nuvem-test:fail", "-a", app, "--as", "failed", "--wait")).Failed().Stderr);
    }
}
