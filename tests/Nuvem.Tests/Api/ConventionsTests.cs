using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Api;

/// <summary>The wire conventions of Heroku's API that clients rely on (reference heroku-cli.md section 3).</summary>
[Collection(ServerCollection.Name)]
public sealed class ConventionsTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task Request_id_is_echoed_or_generated()
    {
        using var api = Server.Api();
        var id = Guid.NewGuid().ToString();
        var echoed = await api.Get("/account", r => r.Headers.TryAddWithoutValidation("Request-Id", $"{id},{Guid.NewGuid()}"));
        Assert.Equal(id, echoed.Headers.GetValues("Request-Id").Single());
        var generated = await api.Get("/account");
        Assert.True(Guid.TryParse(generated.Headers.GetValues("Request-Id").Single(), out _));
    }

    [Theory]
    [InlineData("application/vnd.heroku+json; version=3")]
    [InlineData("application/vnd.heroku+json; version=3.sdk")]
    [InlineData("application/vnd.heroku+json; version=3.run-inside")]
    [InlineData("application/json")]
    public async Task Version_3_and_its_variants_are_accepted(string accept)
    {
        using var api = new ApiClient(Server.CreateClient(Server.AdminToken, accept));
        Assert.Equal(HttpStatusCode.OK, (await api.Get("/account")).Status);
    }

    [Fact]
    public async Task Other_versions_are_refused_with_json()
    {
        using var api = new ApiClient(Server.CreateClient(Server.AdminToken, "application/vnd.heroku+json; version=2"));
        var reply = await api.Get("/account");
        Assert.Equal(HttpStatusCode.NotAcceptable, reply.Status);
        Assert.Equal("not_acceptable", reply.ErrorId);
    }

    [Fact]
    public async Task Unknown_endpoints_and_methods_answer_json_errors()
    {
        using var api = Server.Api();
        var unknown = await api.Get("/no/such/endpoint");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("not_found", unknown.ErrorId);
        var method = await api.Send(HttpMethod.Put, "/account", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.Status);
        Assert.Equal("method_not_allowed", method.ErrorId);
    }

    [Fact]
    public async Task A_huge_body_is_refused_without_harm()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var reply = await api.Patch($"/apps/{app}/config-vars", "{\"A\":\"" + new string('x', 2 * 1024 * 1024) + "\"}");
        Assert.True((int)reply.Status is >= 400 and < 500, reply.Status.ToString());
        Assert.NotNull(reply.ErrorId);
        Assert.Equal(HttpStatusCode.OK, (await api.Get($"/apps/{app}")).Status);
    }
}
