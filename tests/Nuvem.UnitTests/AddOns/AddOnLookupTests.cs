using Nuvem.Platform;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.Operations;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Apps;

namespace Nuvem.UnitTests.AddOns;

/// <summary>Who sees which add-on, how typed names resolve, the release phase of an attach, destroying a provisioning add-on.</summary>
public sealed class AddOnLookupTests : IDisposable
{
    private readonly AddOnHarness _h = new();

    [Fact]
    public async Task A_user_sees_only_the_add_ons_of_their_apps_and_names_resolve_as_on_heroku()
    {
        var app = _h.P.NewApp("mine");
        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        var stranger = _h.P.Accounts.Create("stranger@nuvem.test", "stranger-password");

        Assert.Single(_h.AddOns.List(_h.P.Owner));
        Assert.Empty(_h.AddOns.List(stranger));
        Assert.Empty(_h.AddOns.Attachments(stranger));
        Assert.Equal("add_on", Assert.Throws<PlatformException>(() => _h.AddOns.Find(stranger, addOn.Name)).Resource);
        Assert.Throws<PlatformException>(() => _h.AddOns.Resolve(stranger, addOn.Name, _ => null, null, null));

        App? Named(string name) => name == "mine" ? app : null;
        Assert.Equal(addOn.Id, Assert.Single(_h.AddOns.Resolve(_h.P.Owner, addOn.Name, Named, null, null)).Id);
        Assert.Equal(addOn.Id, Assert.Single(_h.AddOns.Resolve(_h.P.Owner, "DATABASE", Named, "mine", null)).Id);
        Assert.Equal(addOn.Id, Assert.Single(_h.AddOns.Resolve(_h.P.Owner, "mine::DATABASE", Named, null, "heroku-postgresql")).Id);
        Assert.Throws<PlatformException>(() => _h.AddOns.Resolve(_h.P.Owner, addOn.Name, Named, null, "heroku-redis"));

        Assert.Equal("DATABASE", Assert.Single(_h.AddOns.ResolveAttachments(_h.P.Owner, "DATABASE_URL", Named, "mine", null)).Name);
        Assert.Equal(2, _h.AddOns.ResolveAttachments(_h.P.Owner, addOn.Name, Named, null, null).Count);
        Assert.Equal("add_on attachment",
            Assert.Throws<PlatformException>(() => _h.AddOns.ResolveAttachments(_h.P.Owner, "NOTHING", Named, "mine", null)).Resource);
    }

    [Fact]
    public async Task The_attach_release_runs_the_release_phase_before_it_is_current()
    {
        var app = _h.P.NewApp("phase");
        _h.P.DeploySlug().Run(app, _h.P.Owner.Id, _h.P.StoredSlug(app, new Dictionary<string, string> { ["web"] = "./server", ["release"] = "./migrate" }), null);
        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        await _h.P.ReleaseCommand.Ran;
        var attach = _h.P.ReleaseStore.List(app.Id).Single(r => r.Description == $"Attach DATABASE (@ref:{addOn.Name})");
        for (var i = 0; i < 200 && _h.P.Releases.Find(app, attach.Id).Status == ReleaseStatus.Pending; i++) await Task.Delay(25);
        Assert.Equal(ReleaseStatus.Succeeded, _h.P.Releases.Find(app, attach.Id).Status);
        Assert.Equal(attach.Id, _h.P.ReleaseStore.Current(app.Id)!.Id);
    }

    [Fact]
    public async Task Destroying_an_add_on_still_provisioning_makes_no_release_and_its_resource_goes_when_made()
    {
        var app = _h.P.NewApp("early");
        _h.Provider.Gate = new TaskCompletionSource();
        _h.Create.AnswerWithin = TimeSpan.Zero;
        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        for (var i = 0; i < 200 && _h.Provider.Calls.Count == 0; i++) await Task.Delay(25); // the provider is at work
        await _h.Destroy.RunAsync(_h.Store.Find(addOn.Id)!, _h.P.Owner.Id, force: false);
        Assert.Null(_h.Store.Find(addOn.Id));
        Assert.Empty(_h.Store.AttachmentsIn(app.Id));
        Assert.Single(_h.P.ReleaseStore.List(app.Id));

        _h.Provider.Gate.SetResult();
        for (var i = 0; i < 200 && !_h.Provider.Calls.Any(c => c.StartsWith("deprovision")); i++) await Task.Delay(25);
        Assert.Contains($"deprovision res-{addOn.Id[..8]}", _h.Provider.Calls);
        Assert.Single(_h.P.ReleaseStore.List(app.Id));
    }

    public void Dispose() => _h.Dispose();
}
