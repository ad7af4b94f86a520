using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class ConfigVarsApiTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task Set_and_unset_make_releases_v2_v3_with_heroku_descriptions()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);

        var set = await api.Patch($"/apps/{app}/config-vars", new Dictionary<string, string?> { ["FOO"] = "bar", ["DATABASE_URL"] = "postgres://x" });
        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal("bar", set.Json["FOO"]!.GetValue<string>());

        var unset = await api.Patch($"/apps/{app}/config-vars", new Dictionary<string, string?> { ["FOO"] = null });
        Assert.Equal(HttpStatusCode.OK, unset.Status);
        Assert.Null(unset.Json["FOO"]);

        var config = await api.Get($"/apps/{app}/config-vars");
        Assert.Equal("postgres://x", config.Json["DATABASE_URL"]!.GetValue<string>());
        Assert.Single(config.Json.AsObject());

        var releases = (await api.Get($"/apps/{app}/releases")).Array;
        Assert.Equal([1, 2, 3], releases.Select(r => r!["version"]!.GetValue<int>()));
        Assert.Equal("Set FOO, DATABASE_URL config vars", releases[1]!["description"]!.GetValue<string>());
        Assert.Equal("Remove FOO config vars", releases[2]!["description"]!.GetValue<string>());
        Assert.Equal(NuvemServer.AdminEmail, releases[2]!["user"]!["email"]!.GetValue<string>());
        Assert.True(releases[2]!["current"]!.GetValue<bool>());
        Assert.False(releases[1]!["current"]!.GetValue<bool>());

        // Each release keeps its own snapshot of config vars.
        var v2 = await api.Get($"/apps/{app}/releases/2/config-vars");
        Assert.Equal("bar", v2.Json["FOO"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_patch_that_changes_nothing_makes_no_release()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        await api.Patch($"/apps/{app}/config-vars", new { A = "1" });
        await api.Patch($"/apps/{app}/config-vars", new { A = "1" });
        await api.Patch($"/apps/{app}/config-vars", new Dictionary<string, string?> { ["MISSING"] = null });
        Assert.Equal(2, (await api.Get($"/apps/{app}/releases")).Array.Count);
    }

    [Theory]
    [InlineData("{\"1BAD\":\"x\"}")]
    [InlineData("{\"WITH-DASH\":\"x\"}")]
    [InlineData("{\"\":\"x\"}")]
    [InlineData("{\"GOOD\":\"x\",\"BAD KEY\":\"y\"}")]
    [InlineData("{\"NUM\":1}")]
    [InlineData("{\"OBJ\":{\"a\":1}}")]
    [InlineData("{\"ARR\":[\"a\"]}")]
    [InlineData("{\"BOOL\":true}")]
    public async Task Bad_keys_and_values_are_422_and_change_nothing(string body)
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var reply = await api.Patch($"/apps/{app}/config-vars", body);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Equal("invalid_params", reply.ErrorId);
        Assert.Empty((await api.Get($"/apps/{app}/config-vars")).Json.AsObject());
        Assert.Single((await api.Get($"/apps/{app}/releases")).Array);
    }

    [Theory]
    [InlineData("{\"A\":")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"just a string\"")]
    public async Task Malformed_bodies_are_400_and_change_nothing(string body)
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var reply = await api.Patch($"/apps/{app}/config-vars", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("bad_request", reply.ErrorId);
        Assert.Single((await api.Get($"/apps/{app}/releases")).Array);
    }

    [Fact]
    public async Task Oversized_config_is_refused_with_a_clear_message_and_nothing_changes()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        await api.Patch($"/apps/{app}/config-vars", new { KEEP = "me" });

        var big = new string('x', 20 * 1024);
        Assert.Equal(HttpStatusCode.OK, (await api.Patch($"/apps/{app}/config-vars", new { BIG1 = big })).Status);
        var reply = await api.Patch($"/apps/{app}/config-vars", new { BIG2 = big, OTHER = "y" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Contains("limit", reply.Json["message"]!.GetValue<string>());

        var config = (await api.Get($"/apps/{app}/config-vars")).Json.AsObject();
        Assert.Equal(["BIG1", "KEEP"], config.Select(kv => kv.Key).Order());
        Assert.Equal(3, (await api.Get($"/apps/{app}/releases")).Array.Count);
    }
}
