using System.Net;
using System.Text.Json.Nodes;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns;

/// <summary>
/// The add-on API on a real nuvemd, in Heroku's shapes, with the test provider (<see cref="TestAddOnProvider"/>): the
/// framework, not Postgres.
/// </summary>
[Collection(AddOnServerCollection.Name)]
public sealed class AddOnsApiTests(AddOnServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private static string S(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public async Task The_catalog_lists_services_and_plans_with_stable_ids_without_a_token()
    {
        using var anonymous = new ApiClient(Server.CreateClient());
        var services = (await anonymous.Get("/addon-services")).Array;
        var test = Assert.Single(services, s => S(s!["name"]) == "nuvem-test")!;
        Assert.Equal("Nuvem Test", S(test["human_name"]));
        var id = S(test["id"]);
        Assert.Equal("nuvem-test", S((await anonymous.Get($"/addon-services/{id}")).Json["name"]));

        var plans = (await anonymous.Get("/addon-services/nuvem-test/plans")).Array;
        Assert.Equal(["nuvem-test:basic", "nuvem-test:slow", "nuvem-test:fail"], plans.Select(p => S(p!["name"])));
        Assert.True(plans[0]!["default"]!.GetValue<bool>());
        Assert.Equal(700, plans[1]!["price"]!["cents"]!.GetValue<int>());
        Assert.Equal("month", S(plans[1]!["price"]!["unit"]));
        var slowId = S(plans[1]!["id"]);
        Assert.Equal(slowId, S((await anonymous.Get("/addon-services/nuvem-test/plans/slow")).Json["id"]));
        Assert.Equal("nuvem-test:slow", S((await anonymous.Get($"/plans/{slowId}")).Json["name"]));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Get("/addon-services/nope")).Status);
    }

    [Fact]
    public async Task Creating_an_add_on_attaches_it_sets_its_config_var_and_makes_one_release()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var created = await api.Send(HttpMethod.Post, $"/apps/{app}/addons",
            new { plan = new { name = "nuvem-test" }, attachment = new { name = (string?)null }, config = new { colour = "blue" } },
            r => r.Headers.Add("Accept-Expansion", "plan"));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var addOn = created.Json;
        var name = S(addOn["name"]);
        Assert.Matches("^nuvemtest-[a-z]+-[0-9]{5}$", name);
        Assert.Equal("provisioned", S(addOn["state"]));
        Assert.Equal(["NUVEM_TEST_URL"], addOn["config_vars"]!.AsArray().Select(S));
        Assert.Equal("nuvem-test:basic", S(addOn["plan"]!["name"]));
        Assert.Equal("Basic", S(addOn["plan"]!["human_name"])); // expanded
        Assert.Equal(app, S(addOn["app"]!["name"]));
        Assert.Equal("app", S(addOn["billing_entity"]!["type"]));
        Assert.Equal($"{name} is ready", S(addOn["provision_message"]));
        Assert.Null(addOn["web_url"]);
        Assert.Empty(addOn["actions"]!.AsArray());

        var vars = (await api.Get($"/apps/{app}/config-vars")).Json;
        Assert.Equal($"https://test.invalid/{name}?colour=blue", S(vars["NUVEM_TEST_URL"]));
        var releases = (await api.Get($"/apps/{app}/releases")).Array;
        Assert.Equal($"Attach NUVEM_TEST (@ref:{name})", S(releases[^1]!["description"]));
        Assert.Equal(["nuvem-test:basic"], releases[^1]!["addon_plan_names"]!.AsArray().Select(S));

        Assert.Equal(name, S((await api.Get($"/apps/{app}/addons/{name}")).Json["name"]));
        Assert.Equal(name, S((await api.Get($"/addons/{S(addOn["id"])}")).Json["name"]));
        Assert.Contains((await api.Get("/addons")).Array, a => S(a!["name"]) == name);
        Assert.Equal(name, S(Assert.Single((await api.Get($"/apps/{app}/addons")).Array)!["name"]));
        var attachment = Assert.Single((await api.Get($"/apps/{app}/addon-attachments")).Array)!;
        Assert.Equal("NUVEM_TEST", S(attachment["name"]));
        Assert.Equal(name, S(attachment["addon"]!["name"]));
        Assert.Equal("nuvem-test:basic", S(attachment["addon"]!["plan"]!["name"]));
        Assert.Equal(["NUVEM_TEST_URL"], attachment["config_vars"]!.AsArray().Select(S));
    }

    [Fact]
    public async Task Resolving_add_ons_and_attachments_as_the_cli_does()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var name = S((await api.Post($"/apps/{app}/addons", new { plan = "nuvem-test:basic" })).Json["name"]);

        Assert.Equal(name, S(Assert.Single((await api.Post("/actions/addons/resolve", new { addon = name, app = (string?)null })).Array)!["name"]));
        Assert.Equal(name, S(Assert.Single((await api.Post("/actions/addons/resolve", new { addon = "NUVEM_TEST", app })).Array)!["name"]));
        Assert.Equal(name, S(Assert.Single((await api.Post("/actions/addons/resolve", new { addon = $"{app}::NUVEM_TEST" })).Array)!["name"]));
        var missing = await api.Post("/actions/addons/resolve", new { addon = "nothing-here", app });
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("add_on", S(missing.Json["resource"]));

        var byName = await api.Send(HttpMethod.Post, "/actions/addon-attachments/resolve", new { addon_attachment = "NUVEM_TEST_URL", app },
            r => r.Headers.Add("Accept-Inclusion", "addon:plan,config_vars"));
        var attachment = Assert.Single(byName.Array)!;
        Assert.Equal("NUVEM_TEST", S(attachment["name"]));
        Assert.Equal("nuvem-test:basic", S(attachment["addon"]!["plan"]!["name"]));
        Assert.Equal(["NUVEM_TEST_URL"], attachment["config_vars"]!.AsArray().Select(S));
        Assert.Single((await api.Post("/actions/addon-attachments/resolve", new { addon_attachment = name, app = (string?)null })).Array);
        Assert.Equal("add_on attachment", S((await api.Post("/actions/addon-attachments/resolve", new { addon_attachment = "NOPE", app })).Json["resource"]));
    }

    [Fact]
    public async Task Attaching_to_a_second_app_detaching_and_destroying()
    {
        using var api = Server.Api();
        var owner = await fixture.NewAppAsync(api, "owner");
        var other = await fixture.NewAppAsync(api, "other");
        var addOn = (await api.Post($"/apps/{owner}/addons", new { plan = new { name = "nuvem-test" } })).Json;
        var name = S(addOn["name"]);

        var attached = await api.Post("/addon-attachments", new { addon = new { name }, app = new { name = other }, name = "shared" });
        Assert.Equal(HttpStatusCode.Created, attached.Status);
        Assert.Equal("SHARED", S(attached.Json["name"]));
        Assert.Equal($"https://test.invalid/{name}", S((await api.Get($"/apps/{other}/config-vars")).Json["SHARED_URL"]));
        Assert.Equal($"Attach SHARED (@ref:{name})", S((await api.Get($"/apps/{other}/releases")).Array[^1]!["description"]));
        Assert.Equal(2, (await api.Get($"/addons/{name}/addon-attachments")).Array.Count);

        var again = await api.Post("/addon-attachments", new { addon = new { name }, app = new { name = other }, name = "SHARED" });
        Assert.Equal("confirmation_required", again.ErrorId);
        Assert.Equal(HttpStatusCode.Created, (await api.Post("/addon-attachments", new { addon = new { name }, app = new { name = other }, name = "SHARED", confirm = other })).Status);

        var attachment = (await api.Get($"/apps/{other}/addon-attachments/SHARED")).Json;
        Assert.Equal(HttpStatusCode.OK, (await api.Delete($"/addon-attachments/{S(attachment["id"])}")).Status);
        Assert.False((await api.Get($"/apps/{other}/config-vars")).Json.AsObject().ContainsKey("SHARED_URL"));
        Assert.Equal($"Detach SHARED (@ref:{name})", S((await api.Get($"/apps/{other}/releases")).Array[^1]!["description"]));

        var destroyed = await api.Send(HttpMethod.Delete, $"/apps/{S(addOn["app"]!["id"])}/addons/{S(addOn["id"])}", new { force = false });
        Assert.Equal(HttpStatusCode.OK, destroyed.Status);
        Assert.Equal("deprovisioned", S(destroyed.Json["state"]));
        Assert.Equal(HttpStatusCode.NotFound, (await api.Get($"/apps/{owner}/addons/{name}")).Status);
        Assert.False((await api.Get($"/apps/{owner}/config-vars")).Json.AsObject().ContainsKey("NUVEM_TEST_URL"));
        Assert.Equal($"Detach NUVEM_TEST (@ref:{name})", S((await api.Get($"/apps/{owner}/releases")).Array[^1]!["description"]));
    }

    [Fact]
    public async Task Overwriting_a_config_var_needs_confirmation()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        await api.Patch($"/apps/{app}/config-vars", new { NUVEM_TEST_URL = "mine" });
        var refused = await api.Post($"/apps/{app}/addons", new { plan = new { name = "nuvem-test" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("confirmation_required", refused.ErrorId);
        Assert.Empty((await api.Get($"/apps/{app}/addons")).Array);
        var confirmed = await api.Post($"/apps/{app}/addons", new { plan = new { name = "nuvem-test" }, confirm = app });
        Assert.Equal(HttpStatusCode.Created, confirmed.Status);
        Assert.StartsWith("https://test.invalid/", S((await api.Get($"/apps/{app}/config-vars")).Json["NUVEM_TEST_URL"]));
    }

    [Fact]
    public async Task Slow_provisioning_answers_provisioning_and_failure_ends_deprovisioned()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var slow = (await api.Post($"/apps/{app}/addons", new { plan = new { name = "nuvem-test:slow" } })).Json;
        Assert.Equal("provisioning", S(slow["state"]));
        Assert.Empty(slow["config_vars"]!.AsArray());
        var failed = (await api.Post($"/apps/{app}/addons", new { plan = new { name = "nuvem-test:fail" }, name = $"failing-{app}" })).Json;
        Assert.Equal("deprovisioned", S(failed["state"]));
        Assert.Equal(HttpStatusCode.OK, (await api.Delete($"/apps/{app}/addons/failing-{app}")).Status);

        var state = "";
        for (var i = 0; i < 60 && state != "provisioned"; i++)
        {
            await Task.Delay(500);
            var polled = await api.Get($"/apps/{app}/addons/{S(slow["name"])}");
            state = polled.Body?["state"]?.GetValue<string>() ?? throw new InvalidOperationException($"{polled.Status}: {polled.Text}\n{Server.Output}");
        }
        Assert.Equal("provisioned", state);
        Assert.True((await api.Get($"/apps/{app}/config-vars")).Json.AsObject().ContainsKey("NUVEM_TEST_URL"));
    }

    [Fact]
    public async Task Plan_changes_go_through_the_provider_and_release_new_config()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var name = S((await api.Post($"/apps/{app}/addons", new { plan = "nuvem-test" })).Json["name"]);
        var changed = await api.Send(HttpMethod.Patch, $"/apps/{app}/addons/{name}", new { plan = new { name = "nuvem-test:slow" } },
            r => r.Headers.Add("Accept-Expansion", "plan"));
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Equal("nuvem-test:slow", S(changed.Json["plan"]!["name"]));
        Assert.EndsWith("/slow", S((await api.Get($"/apps/{app}/config-vars")).Json["NUVEM_TEST_URL"]));
        Assert.Equal($"Update NUVEM_TEST (@ref:{name})", S((await api.Get($"/apps/{app}/releases")).Array[^1]!["description"]));
    }

    [Fact]
    public async Task Another_user_sees_none_of_it_and_destroying_the_app_removes_its_add_ons()
    {
        using var admin = Server.Api();
        var app = await fixture.NewAppAsync(admin);
        var name = S((await admin.Post($"/apps/{app}/addons", new { plan = "nuvem-test" })).Json["name"]);

        var email = $"carol-{Guid.NewGuid().ToString("N")[..6]}@nuvem.test";
        Assert.Equal(HttpStatusCode.Created, (await admin.Post("/users", new { email, password = "carol-password-1" })).Status);
        using var anonymous = new ApiClient(Server.CreateClient());
        var login = await anonymous.Send(HttpMethod.Post, "/oauth/authorizations", new { scope = new[] { "global" } },
            r => r.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{email}:carol-password-1"))));
        using var carol = Server.Api(S(login.Json["access_token"]!["token"]));
        Assert.Empty((await carol.Get("/addons")).Array);
        Assert.Empty((await carol.Get("/addon-attachments")).Array);
        Assert.Equal(HttpStatusCode.NotFound, (await carol.Get($"/addons/{name}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await carol.Post("/actions/addons/resolve", new { addon = name })).Status);
        var carolsApp = await fixture.NewAppAsync(carol, "carol");
        Assert.Equal(HttpStatusCode.NotFound, (await carol.Post("/addon-attachments", new { addon = name, app = carolsApp })).Status);

        Assert.Equal(HttpStatusCode.OK, (await admin.Delete($"/apps/{app}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Get($"/addons/{name}")).Status);
    }
}
