using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Routing;
using Nuvem.Platform.State;

namespace Nuvem.Tests.Router;

/// <summary><see cref="DomainService.AppIdForHost"/>, the lookup behind every routed request, on a real database.</summary>
public sealed class DomainLookupTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"nuvem-domains-{Guid.NewGuid():N}.db");
    private readonly Database _database;
    private readonly AppService _apps;
    private readonly DomainService _domains;
    private readonly Account _owner;

    public DomainLookupTests()
    {
        _database = new Database(_path);
        Migrator.Migrate(_database);
        var settings = new PlatformSettings { Domain = "apps.test" };
        _apps = new AppService(_database, settings, new RecordingLogplex());
        _domains = new DomainService(_database, settings, TimeProvider.System);
        _owner = new AccountService(_database, TimeProvider.System).Create("owner@nuvem.test", "owner-password-123");
    }

    [Fact]
    public void Default_hosts_custom_domains_and_wildcards_resolve_an_exact_domain_winning_over_a_wildcard()
    {
        var shop = _apps.Create(_owner, "shop");
        var blog = _apps.Create(_owner, "blog");
        _domains.Add(shop, "*.example.com");
        _domains.Add(blog, "blog.example.com");

        Assert.Equal(shop.Id, _domains.AppIdForHost("shop.apps.test"));
        Assert.Equal(shop.Id, _domains.AppIdForHost("SHOP.apps.test.:5080"));
        Assert.Equal(shop.Id, _domains.AppIdForHost("www.example.com"));
        Assert.Equal(blog.Id, _domains.AppIdForHost("blog.example.com"));
        Assert.Null(_domains.AppIdForHost("a.b.example.com"));   // a wildcard covers one label
        Assert.Null(_domains.AppIdForHost("example.com"));
        Assert.Null(_domains.AppIdForHost("x.shop.apps.test"));  // deeper than NAME.DOMAIN is not the default host
        Assert.Null(_domains.AppIdForHost("apps.test"));
        Assert.Null(_domains.AppIdForHost("nope.apps.test"));
        Assert.Null(_domains.AppIdForHost(""));
    }

    [Fact]
    public void New_apps_and_domains_answer_at_once_and_removed_domains_stop_at_once()
    {
        Assert.Null(_domains.AppIdForHost("late.apps.test")); // the snapshot is loaded now, without the app
        var late = _apps.Create(_owner, "late");
        Assert.Equal(late.Id, _domains.AppIdForHost("late.apps.test"));

        _domains.Add(late, "www.late.example");
        Assert.Equal(late.Id, _domains.AppIdForHost("www.late.example"));
        _domains.Remove(late, "www.late.example");
        Assert.Null(_domains.AppIdForHost("www.late.example"));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }
}

public sealed class RouterSettingsTests
{
    [Fact]
    public void The_router_takes_its_port_bind_address_and_timeout_from_the_environment()
    {
        var env = new Dictionary<string, string?> { ["NUVEM_DATA_DIR"] = "/tmp/x", ["NUVEM_ROUTER_PORT"] = "6080", ["NUVEM_BIND_ADDRESS"] = "127.0.0.1", ["NUVEM_ROUTER_TIMEOUT"] = "2" };
        var router = Nuvem.Server.Configuration.ServerOptions.Load([], env).ToRouterOptions();
        Assert.Equal((6080, "127.0.0.1", TimeSpan.FromSeconds(2)), (router.Port, router.Bind, router.FirstByteTimeout));
        Assert.Equal(TimeSpan.FromSeconds(30), Nuvem.Server.Configuration.ServerOptions.Load([], new Dictionary<string, string?> { ["NUVEM_DATA_DIR"] = "/tmp/x" }).ToRouterOptions().FirstByteTimeout);
        Assert.Throws<ArgumentException>(() => Nuvem.Server.Configuration.ServerOptions.Load([], new Dictionary<string, string?> { ["NUVEM_DATA_DIR"] = "/tmp/x", ["NUVEM_ROUTER_TIMEOUT"] = "soon" }));
    }
}
