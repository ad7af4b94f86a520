using Nuvem.Platform;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.Operations;

namespace Nuvem.UnitTests.AddOns;

/// <summary>Creating, attaching, detaching, changing and destroying add-ons: the attachments, config vars, releases and restarts each makes.</summary>
public sealed class AddOnOperationTests : IDisposable
{
    private readonly AddOnHarness _h = new();

    private Nuvem.Platform.Apps.App NewApp(string name) => _h.P.NewApp(name);

    [Fact]
    public async Task A_first_database_is_attached_as_DATABASE_and_a_colour_in_one_release_that_restarts()
    {
        var app = NewApp("shop");
        _h.P.Scheduler.Calls.Clear();
        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        Assert.Equal(AddOnStates.Provisioned, addOn.State);
        Assert.Matches("^postgresql-[a-z]+-[0-9]{5}$", addOn.Name);
        Assert.Equal("essential-0", addOn.Plan);
        Assert.Equal("Database is ready", addOn.ProvisionMessage);

        var names = _h.Store.AttachmentsIn(app.Id).Select(a => a.Name).ToList();
        Assert.Equal("DATABASE", names[0]);
        Assert.Matches("^HEROKU_POSTGRESQL_[A-Z]+$", names[1]);
        var vars = _h.P.ConfigVars.Get(app);
        Assert.Equal($"postgres://u:secret@db/{addOn.Name}", vars["DATABASE_URL"]);
        Assert.Equal(vars["DATABASE_URL"], vars[names[1] + "_URL"]);

        var releases = _h.P.ReleaseStore.List(app.Id);
        Assert.Equal(2, releases.Count); // v1, and ONE release for the attach
        Assert.Equal($"Attach DATABASE (@ref:{addOn.Name})", releases[^1].Description);
        Assert.Equal(["heroku-postgresql:essential-0"], releases[^1].AddonPlanNames);
        Assert.Empty(releases[0].AddonPlanNames);
        Assert.Contains($"app[api]: Attach DATABASE (@ref:{addOn.Name}) by user owner@nuvem.test", _h.P.Logplex.LinesOf(app.Id));
        Assert.Equal([$"apply {app.Id}"], _h.P.Scheduler.Calls);
    }

    [Fact]
    public async Task A_second_database_gets_only_a_new_colour_and_as_names_the_primary()
    {
        var app = NewApp("two");
        var first = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql:essential-1"));
        Assert.Equal("essential-1", first.Plan);
        var second = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        var ofSecond = _h.Store.AttachmentsOf(second.Id).Select(a => a.Name).ToList();
        Assert.Single(ofSecond);
        Assert.StartsWith("HEROKU_POSTGRESQL_", ofSecond[0]);
        Assert.Equal($"postgres://u:secret@db/{first.Name}", _h.P.ConfigVars.Get(app)["DATABASE_URL"]);
        Assert.Equal($"Attach {ofSecond[0]} (@ref:{second.Name})", _h.P.ReleaseStore.List(app.Id)[^1].Description);

        var third = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql", As: "analytics", Name: "my-analytics"));
        Assert.Equal("my-analytics", third.Name);
        Assert.Equal("ANALYTICS", _h.Store.AttachmentsOf(third.Id)[0].Name);
        Assert.Equal(5, _h.Store.AttachmentNames(app.Id).Count);
        Assert.Equal(5, _h.P.ConfigVars.Get(app).Keys.Count(k => k.EndsWith("_URL")));
    }

    [Fact]
    public async Task Overwriting_a_config_var_or_an_attachment_name_needs_confirmation()
    {
        var app = NewApp("confirm");
        _h.P.SetConfigVars().Run(app, _h.P.Owner.Id, new Dictionary<string, string?> { ["DATABASE_URL"] = "postgres://elsewhere" });
        var refused = await Assert.ThrowsAsync<PlatformException>(() => _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql")));
        Assert.Equal("confirmation_required", refused.Id);
        Assert.Empty(_h.Store.ForApp(app.Id));

        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql", Confirm: "confirm"));
        Assert.Equal($"postgres://u:secret@db/{addOn.Name}", _h.P.ConfigVars.Get(app)["DATABASE_URL"]);

        var taken = await Assert.ThrowsAsync<PlatformException>(() => _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql", As: "DATABASE")));
        Assert.Equal("confirmation_required", taken.Id);
    }

    [Fact]
    public async Task Provisioning_in_the_background_answers_provisioning_then_attaches()
    {
        var app = NewApp("slow");
        _h.Provider.Gate = new TaskCompletionSource();
        _h.Create.AnswerWithin = TimeSpan.FromMilliseconds(50);
        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        Assert.Equal(AddOnStates.Provisioning, addOn.State);
        Assert.Equal(["DATABASE"], _h.Store.AttachmentsOf(addOn.Id).Take(1).Select(a => a.Name)); // the name is reserved
        Assert.False(_h.P.ConfigVars.Get(app).ContainsKey("DATABASE_URL"));
        Assert.Single(_h.P.ReleaseStore.List(app.Id));

        _h.Provider.Gate.SetResult();
        Assert.Equal(AddOnStates.Provisioned, (await _h.SettledAsync(addOn.Id)).State);
        Assert.True(_h.P.ConfigVars.Get(app).ContainsKey("DATABASE_URL"));
        Assert.Equal(2, _h.P.ReleaseStore.List(app.Id).Count);
    }

    [Fact]
    public async Task A_failed_provisioning_is_deprovisioned_frees_its_names_and_says_so()
    {
        var app = NewApp("fails");
        _h.Provider.Fail = true;
        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        Assert.Equal(AddOnStates.Deprovisioned, (await _h.SettledAsync(addOn.Id)).State);
        Assert.Empty(_h.Store.AttachmentsIn(app.Id));
        Assert.Single(_h.P.ReleaseStore.List(app.Id));
        Assert.Contains($"app[api]: @ref:{addOn.Name} failed to provision: no room left", _h.P.Logplex.LinesOf(app.Id));
    }

    [Fact]
    public async Task Attaching_to_another_app_and_detaching_each_make_a_release()
    {
        var owner = NewApp("owner");
        var other = NewApp("other");
        var addOn = await _h.Create.RunAsync(owner, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        _h.P.Scheduler.Calls.Clear();

        var attachment = _h.Attach.Run(addOn, other, _h.P.Owner.Id, name: null, @namespace: null, confirm: null);
        Assert.Equal("DATABASE", attachment.Name);
        Assert.Equal($"postgres://u:secret@db/{addOn.Name}", _h.P.ConfigVars.Get(other)["DATABASE_URL"]);
        Assert.Equal($"Attach DATABASE (@ref:{addOn.Name})", _h.P.ReleaseStore.List(other.Id)[^1].Description);

        var again = Assert.Throws<PlatformException>(() => _h.Attach.Run(addOn, other, _h.P.Owner.Id, "database", null, null));
        Assert.Equal("confirmation_required", again.Id);
        var shared = _h.Attach.Run(addOn, other, _h.P.Owner.Id, "shared_db", null, null);
        Assert.Equal("SHARED_DB", shared.Name);

        _h.Detach.Run(attachment, _h.P.Owner.Id);
        Assert.False(_h.P.ConfigVars.Get(other).ContainsKey("DATABASE_URL"));
        Assert.True(_h.P.ConfigVars.Get(other).ContainsKey("SHARED_DB_URL"));
        Assert.Equal($"Detach DATABASE (@ref:{addOn.Name})", _h.P.ReleaseStore.List(other.Id)[^1].Description);
        Assert.Equal([$"apply {other.Id}", $"apply {other.Id}", $"apply {other.Id}"], _h.P.Scheduler.Calls);
    }

    [Fact]
    public async Task The_owning_app_keeps_its_last_attachment()
    {
        var app = NewApp("keeps");
        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        var attachments = _h.Store.AttachmentsOf(addOn.Id);
        _h.Detach.Run(attachments[1], _h.P.Owner.Id); // the colour alias may go
        Assert.Throws<PlatformException>(() => _h.Detach.Run(attachments[0], _h.P.Owner.Id));
        Assert.True(_h.P.ConfigVars.Get(app).ContainsKey("DATABASE_URL"));
    }

    [Fact]
    public async Task Destroying_detaches_everywhere_then_deprovisions_then_removes_the_record()
    {
        var owner = NewApp("gone");
        var other = NewApp("sharer");
        var addOn = await _h.Create.RunAsync(owner, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        _h.Attach.Run(addOn, other, _h.P.Owner.Id, null, null, null);
        await Assert.ThrowsAsync<PlatformException>(() => _h.Destroy.RunAsync(_h.Store.Find(addOn.Id)!, _h.P.Owner.Id, force: false));

        _h.Provider.Observe = () => $"vars={_h.P.ConfigVars.Get(owner).Count + _h.P.ConfigVars.Get(other).Count} row={_h.Store.Find(addOn.Id)?.State}";
        var destroyed = await _h.Destroy.RunAsync(_h.Store.Find(addOn.Id)!, _h.P.Owner.Id, force: true);
        Assert.Equal(AddOnStates.Deprovisioned, destroyed.State);
        Assert.Contains($"deprovision {addOn.ProviderId} vars=0 row=deprovisioning", _h.Provider.Calls);
        Assert.Null(_h.Store.Find(addOn.Id));
        Assert.Empty(_h.Store.AttachmentsIn(owner.Id));
        Assert.StartsWith("Detach DATABASE, HEROKU_POSTGRESQL_", _h.P.ReleaseStore.List(owner.Id)[^1].Description);
        Assert.Equal($"Detach DATABASE (@ref:{addOn.Name})", _h.P.ReleaseStore.List(other.Id)[^1].Description);
        Assert.Empty(_h.P.ReleaseStore.List(owner.Id)[^1].AddonPlanNames);
    }

    [Fact]
    public async Task A_plan_change_with_new_credentials_updates_every_attached_app()
    {
        var app = NewApp("grows");
        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        var unchanged = await _h.ChangePlan.RunAsync(addOn, "essential-1", _h.P.Owner.Id);
        Assert.Equal("essential-1", unchanged.Plan);
        Assert.Equal(2, _h.P.ReleaseStore.List(app.Id).Count); // same credentials: no release

        _h.Provider.NewCredentialsOnPlanChange = true;
        var changed = await _h.ChangePlan.RunAsync(unchanged, "heroku-postgresql:essential-0", _h.P.Owner.Id);
        Assert.Equal("essential-0", changed.Plan);
        Assert.Equal("postgres://u:rotated@db/essential-0", _h.P.ConfigVars.Get(app)["DATABASE_URL"]);
        Assert.StartsWith("Update DATABASE, HEROKU_POSTGRESQL_", _h.P.ReleaseStore.List(app.Id)[^1].Description);
        Assert.Equal(["heroku-postgresql:essential-0"], _h.P.ReleaseStore.List(app.Id)[^1].AddonPlanNames);
        await Assert.ThrowsAsync<PlatformException>(() => _h.ChangePlan.RunAsync(changed, "standard-9", _h.P.Owner.Id));
    }

    [Fact]
    public async Task Destroying_an_app_deprovisions_its_add_ons()
    {
        var app = NewApp("doomed");
        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        await _h.DestroyApp().RunAsync(app);
        Assert.Contains($"deprovision {addOn.ProviderId}", _h.Provider.Calls);
        Assert.Null(_h.Store.Find(addOn.Id));
    }

    [Fact]
    public async Task Interrupted_provisioning_is_resumed_at_start()
    {
        var app = NewApp("resumed");
        _h.Provider.Gate = new TaskCompletionSource();
        _h.Create.AnswerWithin = TimeSpan.Zero;
        var addOn = await _h.Create.RunAsync(app, _h.P.Owner.Id, new CreateAddOnRequest("heroku-postgresql"));
        // As after a kill -9: the first provisioning never finishes; the next start resumes it (the provider is idempotent).
        _h.Provider.Gate = null;
        var create = new CreateAddOn(_h.P.Database, _h.Store, _h.Catalog, _h.Releases, _h.P.AppStore, _h.P.Logplex);
        new InterruptedAddOns(_h.Store, create, _h.Destroy).Resume();
        Assert.Equal(AddOnStates.Provisioned, (await _h.SettledAsync(addOn.Id)).State);
        Assert.True(_h.P.ConfigVars.Get(app).ContainsKey("DATABASE_URL"));
    }

    public void Dispose() => _h.Dispose();
}
