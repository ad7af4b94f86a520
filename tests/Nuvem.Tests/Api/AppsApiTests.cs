using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class AppsApiTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task Create_info_list_update_and_destroy_an_app()
    {
        using var api = Server.Api();
        var name = $"demo-{Guid.NewGuid().ToString("N")[..8]}";

        var created = await api.Post("/apps", new { name });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(name, created.Json["name"]!.GetValue<string>());

        var info = await api.Get($"/apps/{name}");
        Assert.Equal(HttpStatusCode.OK, info.Status);
        var app = info.Json;
        // Every field the heroku CLI dereferences (reference section 5.1).
        Assert.Equal(NuvemServer.AdminEmail, app["owner"]!["email"]!.GetValue<string>());
        Assert.Equal($"http://{name}.localhost:{Server.RouterPort}/", app["web_url"]!.GetValue<string>());
        Assert.Equal($"https://localhost:{Server.ApiPort}/{name}.git", app["git_url"]!.GetValue<string>());
        Assert.NotNull(app["region"]!["name"]);
        Assert.NotNull(app["stack"]!["name"]);
        Assert.NotNull(app["build_stack"]!["name"]);
        Assert.True(app.AsObject().ContainsKey("repo_size"));
        Assert.True(app.AsObject().ContainsKey("slug_size"));
        Assert.False(app["maintenance"]!.GetValue<bool>());
        Assert.Equal("complete", app["create_status"]!.GetValue<string>());

        // Addressed by id as well as by name.
        var byId = await api.Get($"/apps/{app["id"]}");
        Assert.Equal(name, byId.Json["name"]!.GetValue<string>());

        var list = await api.Get("/apps");
        Assert.Contains(list.Array, a => a!["name"]!.GetValue<string>() == name);
        var userList = await api.Get("/users/~/apps");
        Assert.Contains(userList.Array, a => a!["name"]!.GetValue<string>() == name);

        var maintenance = await api.Patch($"/apps/{name}", new { maintenance = true });
        Assert.True(maintenance.Json["maintenance"]!.GetValue<bool>());
        var renamed = await api.Patch($"/apps/{name}", new { name = name + "-x" });
        Assert.Equal(name + "-x", renamed.Json["name"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Get($"/apps/{name}")).Status);

        var destroyed = await api.Delete($"/apps/{name}-x");
        Assert.Equal(HttpStatusCode.OK, destroyed.Status);
        var gone = await api.Get($"/apps/{name}-x");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal("not_found", gone.ErrorId);
    }

    [Fact]
    public async Task A_new_app_without_a_name_gets_a_generated_one_and_release_v1()
    {
        using var api = Server.Api();
        var created = await api.Post("/apps", null);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var name = created.Json["name"]!.GetValue<string>();
        Assert.Matches("^[a-z]+-[a-z]+-[0-9]{5}$", name);

        var releases = await api.Get($"/apps/{name}/releases");
        var only = Assert.Single(releases.Array);
        Assert.Equal(1, only!["version"]!.GetValue<int>());
        Assert.Equal("Initial release", only["description"]!.GetValue<string>());
        await api.Delete($"/apps/{name}");
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Uppercase")]
    [InlineData("1starts-with-digit")]
    [InlineData("ends-with-dash-")]
    [InlineData("has_underscore")]
    [InlineData("has.dot")]
    [InlineData("this-name-is-far-too-long-for-heroku")]
    public async Task Invalid_names_are_refused_with_422(string name)
    {
        using var api = Server.Api();
        var before = (await api.Get("/apps")).Array.Count;
        var reply = await api.Post("/apps", new { name });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Equal("invalid_params", reply.ErrorId);
        Assert.False(string.IsNullOrEmpty(reply.Json["message"]!.GetValue<string>()));
        Assert.Equal(before, (await api.Get("/apps")).Array.Count);
    }

    [Fact]
    public async Task A_taken_name_is_refused()
    {
        using var api = Server.Api();
        var name = await fixture.NewAppAsync(api);
        var again = await api.Post("/apps", new { name });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.Status);
        Assert.Contains("taken", again.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Wrong_types_in_the_body_are_refused_and_change_nothing()
    {
        using var api = Server.Api();
        var name = await fixture.NewAppAsync(api);
        var reply = await api.Patch($"/apps/{name}", new { maintenance = "yes" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Contains("maintenance", reply.Json["message"]!.GetValue<string>());
        Assert.False((await api.Get($"/apps/{name}")).Json["maintenance"]!.GetValue<bool>());

        var number = await api.Post("/apps", new { name = 42 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, number.Status);
    }

    [Fact]
    public async Task Unknown_app_is_404_json()
    {
        using var api = Server.Api();
        foreach (var path in new[] { "/apps/no-such-app", "/apps/no-such-app/config-vars", "/apps/no-such-app/releases", "/apps/no-such-app/formation" })
        {
            var reply = await api.Get(path);
            Assert.Equal(HttpStatusCode.NotFound, reply.Status);
            Assert.Equal("not_found", reply.ErrorId);
            Assert.Equal("Couldn't find that app.", reply.Json["message"]!.GetValue<string>());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await api.Patch("/apps/no-such-app/config-vars", new { A = "1" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Delete("/apps/no-such-app")).Status);
    }

    [Fact]
    public async Task Dynos_and_builds_lists_exist_and_are_empty_for_a_new_app()
    {
        using var api = Server.Api();
        var name = await fixture.NewAppAsync(api);
        var dynos = await api.Get($"/apps/{name}/dynos");
        Assert.Equal(HttpStatusCode.OK, dynos.Status);
        Assert.Empty(dynos.Array);
        var builds = await api.Get($"/apps/{name}/builds");
        Assert.Equal(HttpStatusCode.OK, builds.Status);
        Assert.Empty(builds.Array);
    }
}
