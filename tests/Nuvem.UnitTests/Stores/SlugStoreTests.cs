using Nuvem.Platform;
using Nuvem.Platform.Slugs;

namespace Nuvem.UnitTests.Stores;

public sealed class SlugStoreTests : IDisposable
{
    private readonly TempPlatform _p = new();

    [Fact]
    public void A_registered_slug_awaits_its_upload_once()
    {
        var app = _p.NewApp("uploads");
        var (slug, token) = new SlugService(_p.Database, _p.Settings).Create(app, new SlugSpec(TempPlatform.Web(), Commit: "abc1234"));
        Assert.Equal(("abc1234", "./server"), (slug.Commit, slug.ProcessTypes["web"]));
        var upload = _p.SlugStore.Upload(slug.Id)!.Value;
        Assert.Equal((SlugReadiness.Awaiting, SlugUploads.HashToken(token)), (upload.BlobState, upload.BlobTokenHash));

        var stored = new StoredSlug("SHA256:" + new string('a', 64), 10, "x");
        Assert.True(_p.SlugStore.MarkStored(slug.Id, stored));
        Assert.False(_p.SlugStore.MarkStored(slug.Id, stored)); // written once
        Assert.Equal((stored.Checksum, 10L), (_p.SlugStore.Get(app.Id, slug.Id)!.Checksum, _p.SlugStore.Get(app.Id, slug.Id)!.Size));
        Assert.Null(_p.SlugStore.Get(_p.NewApp("other").Id, slug.Id)); // another app's slug is not found
    }

    [Fact]
    public void A_slug_without_its_tarball_cannot_be_released()
    {
        var app = _p.NewApp("awaiting");
        var (slug, _) = new SlugService(_p.Database, _p.Settings).Create(app, new SlugSpec(TempPlatform.Web()));
        var refused = Assert.Throws<PlatformException>(() => _p.Releases.Deploy(app, _p.Owner.Id, slug.Id, null));
        Assert.Contains("Nothing was released", refused.Message);
        Assert.Single(_p.ReleaseStore.List(app.Id));
    }

    [Fact]
    public void A_tarball_is_deleted_only_when_no_slug_holds_it()
    {
        var a = _p.NewApp("app-a");
        var b = _p.NewApp("app-b");
        _p.StoredSlug(a, TempPlatform.Web(), content: "shared");
        var checksum = _p.SlugStore.ChecksumsOf(a.Id).Single();
        var deleted = 0;
        _p.SlugStore.IfUnreferenced(checksum, () => deleted++);
        Assert.Equal(0, deleted);
        _p.Apps.Destroy(a);
        _p.SlugStore.IfUnreferenced(checksum, () => deleted++);
        Assert.Equal(1, deleted);
        Assert.Empty(_p.SlugStore.ChecksumsOf(b.Id));
    }

    public void Dispose() => _p.Dispose();
}
