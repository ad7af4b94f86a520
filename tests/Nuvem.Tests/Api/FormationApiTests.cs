using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class FormationApiTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    /// <summary>An app whose current release declares web, worker and clock (through an uploaded slug, as a build would).</summary>
    private async Task<string> DeployedApp(ApiClient api)
    {
        var app = await fixture.NewAppAsync(api);
        var slug = await SlugBlobs.CreateAsync(Server, api, app, new { web = "node server.js", worker = "node worker.js", clock = "node clock.js" });
        var release = await api.Post($"/apps/{app}/releases", new { slug });
        Assert.Equal(HttpStatusCode.Created, release.Status);
        return app;
    }

    private static async Task<Dictionary<string, (int Quantity, string Size)>> Formation(ApiClient api, string app) =>
        (await api.Get($"/apps/{app}/formation")).Array.ToDictionary(
            f => f!["type"]!.GetValue<string>(),
            f => (f!["quantity"]!.GetValue<int>(), f["size"]!.GetValue<string>()));

    [Fact]
    public async Task A_deploy_creates_the_formation_web_at_one_others_at_zero()
    {
        using var api = Server.Api();
        var app = await DeployedApp(api);
        var formation = await Formation(api, app);
        Assert.Equal((1, "Basic"), formation["web"]);
        Assert.Equal((0, "Basic"), formation["worker"]);
        Assert.Equal((0, "Basic"), formation["clock"]);
        Assert.Equal("node worker.js", (await api.Get($"/apps/{app}/formation/worker")).Json["command"]!.GetValue<string>());
    }

    [Fact]
    public async Task Batch_patch_takes_numbers_strings_and_relative_quantities_like_the_heroku_cli_sends()
    {
        using var api = Server.Api();
        var app = await DeployedApp(api);

        var reply = await api.Patch($"/apps/{app}/formation", new
        {
            updates = new object[]
            {
                new { type = "web", quantity = "3" },
                new { type = "worker", quantity = "+2", size = "Standard-2X" },
                new { type = "clock", quantity = 1 },
            },
        });
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(3, reply.Array.Count);
        var formation = await Formation(api, app);
        Assert.Equal((3, "Basic"), formation["web"]);
        Assert.Equal((2, "Standard-2X"), formation["worker"]);
        Assert.Equal((1, "Basic"), formation["clock"]);

        await api.Patch($"/apps/{app}/formation", new { updates = new object[] { new { type = "web", quantity = "-1" }, new { type = "worker", quantity = "+1" } } });
        formation = await Formation(api, app);
        Assert.Equal(2, formation["web"].Quantity);
        Assert.Equal(3, formation["worker"].Quantity);

        // Size alone, in any case, keeps the quantity.
        await api.Patch($"/apps/{app}/formation", new { updates = new object[] { new { type = "web", size = "performance-m" } } });
        Assert.Equal((2, "Performance-M"), (await Formation(api, app))["web"]);

        // The single-type endpoint.
        var single = await api.Patch($"/apps/{app}/formation/clock", new { quantity = 0 });
        Assert.Equal(0, single.Json["quantity"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("{\"updates\":[{\"type\":\"nope\",\"quantity\":1}]}", "No such process type nope")]
    [InlineData("{\"updates\":[{\"type\":\"web\",\"size\":\"Gigantic-9X\"}]}", "No such dyno size")]
    [InlineData("{\"updates\":[{\"type\":\"web\",\"quantity\":\"-5\"}]}", "below 0")]
    [InlineData("{\"updates\":[{\"type\":\"web\",\"quantity\":\"lots\"}]}", "Invalid quantity")]
    [InlineData("{\"updates\":[{\"type\":\"web\",\"quantity\":1.5}]}", "quantity")]
    [InlineData("{\"updates\":[{\"type\":\"web\",\"quantity\":true}]}", "quantity")]
    [InlineData("{\"updates\":[{\"type\":\"web\",\"quantity\":100000}]}", "at most")]
    [InlineData("{\"updates\":[{\"quantity\":1}]}", "type")]
    [InlineData("{\"updates\":{\"type\":\"web\"}}", "updates")]
    [InlineData("{}", "updates")]
    public async Task Invalid_updates_are_422_with_a_clear_message(string body, string expected)
    {
        using var api = Server.Api();
        var app = await DeployedApp(api);
        var reply = await api.Patch($"/apps/{app}/formation", body);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Contains(expected, reply.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_batch_with_one_bad_update_changes_nothing()
    {
        using var api = Server.Api();
        var app = await DeployedApp(api);
        var reply = await api.Patch($"/apps/{app}/formation", new
        {
            updates = new object[] { new { type = "web", quantity = 5 }, new { type = "worker", size = "no-such-size" } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Equal(1, (await Formation(api, app))["web"].Quantity);
    }

    [Fact]
    public async Task Scaling_before_any_deploy_explains_there_are_no_process_types()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        Assert.Empty((await api.Get($"/apps/{app}/formation")).Array);
        var reply = await api.Patch($"/apps/{app}/formation", new { updates = new object[] { new { type = "web", quantity = "1" } } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Contains("deploy", reply.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_redeploy_keeps_chosen_quantities_and_drops_removed_process_types()
    {
        using var api = Server.Api();
        var app = await DeployedApp(api);
        await api.Patch($"/apps/{app}/formation", new { updates = new object[] { new { type = "web", quantity = "2" } } });
        // The release phase runs (and passes) before the formation follows the new release.
        var slug = await SlugBlobs.CreateAsync(Server, api, app, new { web = "node v2.js", release = "echo migrated" });
        var version = (await api.Post($"/apps/{app}/releases", new { slug })).Json["version"]!.GetValue<int>();
        await Nuvem.Tests.Dynos.DynoApps.Eventually(() => api.Get($"/apps/{app}/releases/{version}"),
            r => r.Json["status"]!.GetValue<string>() != "pending", TimeSpan.FromSeconds(60), "the release phase");
        Assert.Equal("succeeded", (await api.Get($"/apps/{app}/releases/{version}")).Json["status"]!.GetValue<string>());
        var formation = await Formation(api, app);
        Assert.Equal(["release", "web"], formation.Keys.Order());
        Assert.Equal(2, formation["web"].Quantity);
    }
}
