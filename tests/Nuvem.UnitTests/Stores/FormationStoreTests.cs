using Nuvem.Platform;
using Nuvem.Platform.Formation;

namespace Nuvem.UnitTests.Stores;

public sealed class FormationStoreTests : IDisposable
{
    private readonly TempPlatform _p = new();

    [Fact]
    public void Deploys_keep_the_formation_in_step_with_the_procfile()
    {
        var app = _p.NewApp("procfile");
        _p.Releases.Deploy(app, _p.Owner.Id, _p.StoredSlug(app, new Dictionary<string, string> { ["web"] = "./web", ["worker"] = "./work" }), null);
        Assert.Equal([("web", 1, "./web"), ("worker", 0, "./work")], _p.FormationStore.List(app.Id).Select(f => (f.Type, f.Quantity, f.Command)).ToArray());

        _p.Formation.Update(app, [new FormationUpdate("web", Quantity.Absolute(3), "standard-2x")]);
        _p.Releases.Deploy(app, _p.Owner.Id, _p.StoredSlug(app, new Dictionary<string, string> { ["web"] = "./web2", ["clock"] = "./tick" }), null);
        Assert.Equal([("clock", 0, "./tick", "Basic"), ("web", 3, "./web2", "Standard-2X")],
            _p.FormationStore.List(app.Id).Select(f => (f.Type, f.Quantity, f.Command, f.Size)).ToArray());
    }

    [Fact]
    public void A_scale_is_all_or_nothing()
    {
        var app = _p.NewApp("scale");
        _p.Releases.Deploy(app, _p.Owner.Id, _p.StoredSlug(app, new Dictionary<string, string> { ["web"] = "./web", ["worker"] = "./work" }), null);
        Assert.Throws<PlatformException>(() => _p.Formation.Update(app,
            [new FormationUpdate("worker", Quantity.Absolute(2), null), new FormationUpdate("web", Quantity.Parse("-2"), null)]));
        Assert.Equal([1, 0], _p.FormationStore.List(app.Id).Select(f => f.Quantity).ToArray());
        Assert.Equal("web", _p.FormationStore.Get(app.Id, "web")!.Type);
        Assert.Null(_p.FormationStore.Get(app.Id, "nope"));
    }

    public void Dispose() => _p.Dispose();
}
