using Nuvem.Platform;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Redis;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns.Redis;

/// <summary>The provider on real redis-servers in a temporary directory (as root, like nuvemd): idempotent provisions,
/// ports from the range, a full range, a server the supervisor restarts, removal.</summary>
public sealed class RedisProviderTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "nuvem-redis-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly RedisServers _servers;
    private readonly RedisProvider _provider;

    public RedisProviderTests()
    {
        var first = Repo.FreePort();
        _servers = new RedisServers(new RedisSettings(Path.Combine(_dataDir, "addons", "redis"), first, first + 1, ["127.0.0.1"], "127.0.0.1"));
        _provider = new RedisProvider(_servers);
    }

    private Task<ProvisionResult> Provision(string addOnId, string plan = "mini") =>
        _provider.ProvisionAsync(new ProvisionRequest(addOnId, "redis-test-12345", "app-id", "app", plan, new Dictionary<string, string>()), CancellationToken.None);

    [Fact]
    public async Task Provisions_are_idempotent_take_ports_from_the_range_and_deprovision_removes_the_server()
    {
        var a = await Provision("a");
        Assert.Equal(a.Config["URL"], (await Provision("a")).Config["URL"]); // a retry makes nothing twice
        var b = await Provision("b", "premium-0");
        var (urlA, urlB) = (new Uri(a.Config["URL"]), new Uri(b.Config["URL"]));
        Assert.Equal(_servers.Settings.FirstPort, urlA.Port);
        Assert.Equal(_servers.Settings.LastPort, urlB.Port);
        var full = await Assert.ThrowsAsync<PlatformException>(() => Provision("c"));
        Assert.Contains("No Redis port is free", full.Message);
        Assert.Equal(2, _servers.All().Count);

        // A dead server is started again by a supervision round, with its data.
        var password = urlA.UserInfo.TrimStart(':');
        Assert.Equal("+OK", await Resp.CommandAsync(urlA.Port, password, "SET", "k", "v"));
        var pid = _servers.Pid(a.ProviderId)!.Value;
        await _servers.StopAsync(a.ProviderId, CancellationToken.None);
        Assert.Null(_servers.Pid(a.ProviderId));
        await _provider.SuperviseAsync(CancellationToken.None);
        Assert.NotEqual(pid, _servers.Pid(a.ProviderId));
        Assert.Equal("$1\r\nv", await Resp.CommandAsync(urlA.Port, password, "GET", "k"));

        await _provider.DeprovisionAsync(a.ProviderId, CancellationToken.None);
        await _provider.DeprovisionAsync(a.ProviderId, CancellationToken.None); // gone already: fine
        Assert.False(Directory.Exists(_servers.Folder(a.ProviderId)));
        Assert.False(RedisServers.Listens(urlA.Port));
        Assert.Equal(urlA.Port, new Uri((await Provision("c")).Config["URL"]).Port); // its port is free again
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var instance in _servers.All()) await _servers.StopAsync(instance.Name, CancellationToken.None);
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}
