using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Releases;

namespace Nuvem.UnitTests.Stores;

public sealed class AppStoreTests : IDisposable
{
    private readonly TempPlatform _p = new();

    [Fact]
    public void An_app_is_found_by_name_or_id_and_only_by_its_owner()
    {
        var app = _p.NewApp("shop");
        Assert.Equal(app.Id, _p.AppStore.FindOwned(_p.Owner.Id, "shop")!.Id);
        Assert.Equal("shop", _p.AppStore.FindOwned(_p.Owner.Id, app.Id)!.Name);
        Assert.Equal(_p.Owner.Email, app.OwnerEmail);
        var stranger = _p.Accounts.Create("stranger@nuvem.test", "stranger-password");
        Assert.Null(_p.AppStore.FindOwned(stranger.Id, "shop"));
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<PlatformException>(() => _p.Apps.Find(stranger, "shop")).Kind);
    }

    [Fact]
    public void Uids_start_at_the_first_app_uid_and_are_never_given_twice()
    {
        var a = _p.NewApp("uid-a");
        Assert.Equal(AppService.FirstUid, a.Uid);
        _p.Apps.Destroy(a);
        var b = _p.NewApp("uid-b");
        Assert.Equal(a.Uid + 1, b.Uid);
        Assert.Throws<PlatformException>(() => _p.Apps.Create(_p.Owner, "uid-b")); // a taken name rolls its uid back
        Assert.Equal(b.Uid + 1, _p.NewApp("uid-c").Uid);
    }

    [Fact]
    public void Rename_and_maintenance_are_stored_and_a_taken_name_is_refused()
    {
        var app = _p.NewApp("first");
        _p.NewApp("second");
        var updated = _p.Apps.Update(_p.Owner, app, "renamed", maintenance: true);
        Assert.Equal(("renamed", true), (updated.Name, updated.Maintenance));
        var refused = Assert.Throws<PlatformException>(() => _p.Apps.Update(_p.Owner, updated, "second", maintenance: false));
        Assert.Equal("Name is already taken.", refused.Message);
        Assert.True(_p.Apps.Find(_p.Owner, "renamed").Maintenance); // nothing of the refused update was stored
    }

    [Fact]
    public void Slug_size_is_the_current_releases_not_a_pending_ones()
    {
        var app = _p.NewApp("sizes");
        Assert.Null(app.SlugSize);
        var small = _p.StoredSlug(app, TempPlatform.Web(), content: "small");
        _p.Releases.Deploy(app, _p.Owner.Id, small, null);
        Assert.Equal(5, _p.Apps.Find(_p.Owner, "sizes").SlugSize);

        var withPhase = _p.StoredSlug(app, new Dictionary<string, string> { ["web"] = "./server", ["release"] = "./migrate" }, content: "much bigger");
        var pending = _p.Releases.Deploy(app, _p.Owner.Id, withPhase, null);
        Assert.Equal(ReleaseStatus.Pending, pending.Status);
        Assert.Equal(5, _p.Apps.Find(_p.Owner, "sizes").SlugSize);
        _p.Releases.Complete(app, pending, succeeded: false);
        Assert.Equal(5, _p.Apps.Find(_p.Owner, "sizes").SlugSize);
    }

    [Fact]
    public void Config_vars_are_read_back_as_stored()
    {
        var app = _p.NewApp("config");
        _p.Database.Write((c, t) => _p.AppStore.SetConfigVars(c, t, app.Id, """{"A":"1"}"""));
        Assert.Equal("1", _p.ConfigVars.Get(app)["A"]);
    }

    public void Dispose() => _p.Dispose();
}
