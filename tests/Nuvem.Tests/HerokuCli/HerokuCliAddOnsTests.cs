using System.Text.RegularExpressions;
using Nuvem.Tests.AddOns;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.HerokuCli;

/// <summary>A platform offering the test provider (besides whatever providers nuvemd registers itself), and the heroku CLI logged in.</summary>
public sealed class HerokuCliAddOnsFixture : IAsyncLifetime
{
    public NuvemServer Server { get; private set; } = null!;
    public ProxyTrap Proxy { get; } = new();
    public HerokuCliSession Cli { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var install = HerokuCliPackage.EnsureInstalledAsync();
        Server = await NuvemServer.StartNewAsync(new Dictionary<string, string> { ["NUVEM_ADDON_TEST_PROVIDERS"] = TestAddOnProvider.Switch });
        Cli = new HerokuCliSession(Server, await install, Proxy);
        (await Cli.LoginAsync(NuvemServer.AdminEmail, NuvemServer.AdminPassword)).Succeeded();
    }

    public async Task DisposeAsync()
    {
        Cli?.Dispose();
        Proxy.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }
}

/// <summary>
/// Issue 12: the heroku CLI 11.10.0, unmodified, manages add-ons: <c>addons:plans</c>, <c>addons:create</c>,
/// <c>addons</c>, <c>addons:info</c>, <c>addons:attach</c>/<c>detach</c> to a second app, <c>addons:upgrade</c>,
/// <c>addons:destroy</c>. Each flow runs for a service: <c>nuvem-test</c> (the test provider: the framework alone) and
/// <c>heroku-postgresql</c> (the platform's own PostgreSQL cluster).
/// </summary>
public sealed class HerokuCliAddOnsTests(HerokuCliAddOnsFixture fixture) : IClassFixture<HerokuCliAddOnsFixture>
{

    private NuvemServer Server => fixture.Server;
    private HerokuCliSession Cli => fixture.Cli;

    private async Task<string> NewAppAsync(string prefix)
    {
        var app = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        (await Cli.RunAsync("apps:create", app)).Succeeded();
        return app;
    }

    [Fact]
    public Task Plans_of_the_test_service() => PlansAsync("nuvem-test", "basic", "slow");

    [Fact]
    public Task Plans_of_heroku_postgresql() => PlansAsync("heroku-postgresql", "essential-0", "standard-0");

    [Fact]
    public Task Plans_of_heroku_redis() => PlansAsync("heroku-redis", "mini", "premium-1");

    private async Task PlansAsync(string service, string defaultPlan, string other)
    {
        var plans = (await Cli.RunAsync("addons:plans", service)).Succeeded();
        Assert.Matches($@"default\s+{service}:{defaultPlan}", plans.Output);
        Assert.Contains($"{service}:{other}", plans.Output);
        var services = (await Cli.RunAsync("addons:services")).Succeeded();
        Assert.Contains(service, services.Output);
        Assert.Empty(Cli.Proxy.Attempts);
    }

    [Fact]
    public Task Create_list_info_attach_detach_upgrade_and_destroy_the_test_service() => LifecycleAsync("nuvem-test", "nuvem-test:slow", "NUVEM_TEST", "nuvemtest");

    [Fact]
    public Task Create_list_info_attach_detach_upgrade_and_destroy_heroku_postgresql() =>
        LifecycleAsync("heroku-postgresql:essential-0", "heroku-postgresql:essential-1", "DATABASE", "postgresql");

    [Fact]
    public Task Create_list_info_attach_detach_upgrade_and_destroy_heroku_redis() =>
        LifecycleAsync("heroku-redis:mini", "heroku-redis:premium-0", "REDIS", "redis");

    private async Task LifecycleAsync(string servicePlan, string upgradeTo, string attachment, string namePrefix)
    {
        using var api = Server.Api();
        var app = await NewAppAsync("addons");
        var other = await NewAppAsync("sharer");

        // Provisioned within the API's wait ("Created … as DATABASE_URL"), or in the background: both are Heroku's.
        var created = (await Cli.RunAsync("addons:create", servicePlan, "-a", app, "--wait")).Succeeded();
        var name = Regex.Match(created.Output, $@"\b({namePrefix}-[a-z]+-\d{{5}})\b").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(name), created.Output);
        Assert.Matches($@"Created {name} as {attachment}_URL|{name} is being created in the background", created.Output);
        Assert.StartsWith($"Attach {attachment} (@ref:{name})", (await api.Get($"/apps/{app}/releases")).Array[^1]!["description"]!.GetValue<string>());
        Assert.True((await api.Get($"/apps/{app}/config-vars")).Json.AsObject().ContainsKey($"{attachment}_URL"));

        var list = (await Cli.RunAsync("addons", "-a", app)).Succeeded();
        Assert.Contains(name, list.Output);
        Assert.Contains($"as {attachment}", list.Output);
        Assert.Contains("created", list.Output);

        var info = (await Cli.RunAsync("addons:info", name)).Succeeded();
        Assert.Contains($"=== {name}", info.Output);
        Assert.Matches($@"Attachments:\s+{app}::{attachment}", info.Output);
        Assert.Matches($@"Owning app:\s+{app}", info.Output);
        Assert.Matches(@"State:\s+created", info.Output);

        var attached = (await Cli.RunAsync("addons:attach", name, "-a", other, "--as", "SHARED_DB")).Succeeded();
        Assert.Contains("Setting SHARED_DB config vars and restarting", attached.Output);
        Assert.Contains("done, v2", attached.Output);
        Assert.True((await api.Get($"/apps/{other}/config-vars")).Json.AsObject().ContainsKey("SHARED_DB_URL"));
        Assert.Contains($"as SHARED_DB on {other}", (await Cli.RunAsync("addons", "-a", app)).Succeeded().Output.Replace(" app", ""));

        var detached = (await Cli.RunAsync("addons:detach", "SHARED_DB", "-a", other)).Succeeded();
        Assert.Contains("Unsetting SHARED_DB config vars and restarting", detached.Output);
        Assert.Contains("done, v3", detached.Output);
        Assert.False((await api.Get($"/apps/{other}/config-vars")).Json.AsObject().ContainsKey("SHARED_DB_URL"));

        var upgraded = (await Cli.RunAsync("addons:upgrade", name, upgradeTo.Split(':')[1], "-a", app)).Succeeded();
        Assert.Contains($"Changing {name} on {app} from {servicePlan.Split(':')[0]}:", upgraded.Output.Replace("⬢ ", ""));
        Assert.Equal(upgradeTo, (await api.Get($"/addons/{name}")).Json["plan"]!["name"]!.GetValue<string>());

        Assert.Matches($@"Addons:\s+{upgradeTo}", (await Cli.RunAsync("apps:info", "-a", app)).Succeeded().Output);
        var renamed = $"{name}-renamed";
        (await Cli.RunAsync("addons:rename", name, renamed)).Succeeded();
        Assert.Equal(renamed, (await api.Get($"/apps/{app}/addons/{renamed}")).Json["name"]!.GetValue<string>());
        name = renamed;

        var destroyed = (await Cli.RunAsync("addons:destroy", name, "-a", app, "--confirm", app)).Succeeded();
        Assert.Contains($"Destroying {name} on", destroyed.Output);
        Assert.False((await api.Get($"/apps/{app}/config-vars")).Json.AsObject().ContainsKey($"{attachment}_URL"));
        Assert.Contains($"No add-ons for app {app}.", (await Cli.RunAsync("addons", "-a", app)).Succeeded().Output);
        Assert.Empty(Cli.Proxy.Attempts);
    }

    [Fact]
    public async Task A_slow_add_on_is_created_in_the_background_and_wait_follows_it()
    {
        var app = await NewAppAsync("slow");
        var background = (await Cli.RunAsync("addons:create", "nuvem-test:slow", "-a", app)).Succeeded();
        Assert.Contains("is being created in the background. The app will restart when complete...", background.Output);
        var waited = (await Cli.RunAsync("addons:create", "nuvem-test:slow", "-a", app, "--as", "SECOND", "--wait")).Succeeded();
        Assert.Matches(@"Created nuvemtest-[a-z]+-\d{5} as SECOND_URL", waited.Output);
        var failed = await Cli.RunAsync("addons:create", "nuvem-test:fail", "-a", app, "--as", "THIRD");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("unable to be created", failed.Output);
        Assert.Empty(Cli.Proxy.Attempts);
    }
}
