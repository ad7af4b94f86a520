using Nuvem.Platform;

namespace Nuvem.UnitTests.Stores;

public sealed class DomainStoreTests : IDisposable
{
    private readonly TempPlatform _p = new();

    [Fact]
    public void Hosts_resolve_to_default_custom_and_wildcard_domains()
    {
        var shop = _p.NewApp("shop");
        var blog = _p.NewApp("blog");
        _p.Domains.Add(shop, "www.shop.example");
        _p.Domains.Add(blog, "*.blog.example");
        Assert.Equal(shop.Id, _p.DomainStore.AppIdForHost("www.shop.example", null, null));
        Assert.Equal(shop.Id, _p.DomainStore.AppIdForHost("nothing", "shop", null));
        Assert.Equal(blog.Id, _p.DomainStore.AppIdForHost("a.blog.example", null, "*.blog.example"));
        var (byName, byHost) = _p.DomainStore.Hosts();
        Assert.Equal(blog.Id, byName["blog"]);
        Assert.Equal(shop.Id, byHost["www.shop.example"]);
        Assert.Equal(blog.Id, _p.Domains.AppIdForHost("x.blog.example"));
        Assert.Equal(shop.Id, _p.Domains.AppIdForHost("SHOP.apps.test:5080"));
    }

    [Fact]
    public void A_host_belongs_to_one_app()
    {
        var shop = _p.NewApp("shop");
        var blog = _p.NewApp("blog");
        _p.Domains.Add(shop, "www.example.com");
        Assert.Equal(ErrorKind.Conflict, Assert.Throws<PlatformException>(() => _p.Domains.Add(blog, "www.example.com")).Kind);
        Assert.Equal(ErrorKind.Invalid, Assert.Throws<PlatformException>(() => _p.Domains.Add(shop, "WWW.example.com.")).Kind);
        Assert.Single(_p.DomainStore.List(shop.Id));
        Assert.Empty(_p.DomainStore.List(blog.Id));
        _p.Domains.Remove(shop, "www.example.com");
        Assert.Empty(_p.DomainStore.List(shop.Id));
    }

    public void Dispose() => _p.Dispose();
}
