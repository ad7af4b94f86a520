using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class AccountsApiTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private static Action<HttpRequestMessage> Basic(string user, string password) => r =>
        r.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private async Task<ApiClient.Reply> Login(string email, string password)
    {
        using var anonymous = new ApiClient(Server.CreateClient());
        // Exactly what `heroku login -i` sends.
        return await anonymous.Send(HttpMethod.Post, "/oauth/authorizations",
            new { description = "Heroku CLI login from test", expires_in = 2592000, scope = new[] { "global" } }, Basic(email, password));
    }

    [Fact]
    public async Task Login_with_email_and_password_returns_a_working_token()
    {
        var reply = await Login(NuvemServer.AdminEmail, NuvemServer.AdminPassword);
        Assert.Equal(HttpStatusCode.Created, reply.Status);
        var token = reply.Json["access_token"]!["token"]!.GetValue<string>();
        Assert.Equal(NuvemServer.AdminEmail, reply.Json["user"]!["email"]!.GetValue<string>());
        Assert.True(reply.Json["access_token"]!["expires_in"]!.GetValue<long>() > 2591000);

        using var api = Server.Api(token);
        var account = await api.Get("/account");
        Assert.Equal(HttpStatusCode.OK, account.Status);
        Assert.Equal(NuvemServer.AdminEmail, account.Json["email"]!.GetValue<string>());

        // Listed (without the secret), then revoked: the token stops working.
        var id = reply.Json["id"]!.GetValue<string>();
        var listed = await api.Get("/oauth/authorizations");
        var entry = Assert.Single(listed.Array, a => a!["id"]!.GetValue<string>() == id);
        Assert.Null(entry!["access_token"]!["token"]);
        Assert.Equal(HttpStatusCode.OK, (await api.Delete($"/oauth/authorizations/{id}")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Get("/account")).Status);
    }

    [Fact]
    public async Task Wrong_password_or_unknown_email_is_401_json()
    {
        foreach (var (email, password) in new[] { (NuvemServer.AdminEmail, "wrong-password"), ("nobody@nuvem.test", "whatever1") })
        {
            var reply = await Login(email, password);
            Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
            Assert.Equal("unauthorized", reply.ErrorId);
        }
    }

    [Fact]
    public async Task Every_endpoint_but_token_creation_needs_a_valid_token()
    {
        using var anonymous = new ApiClient(Server.CreateClient());
        using var wrong = Server.Api("nuvem_not_a_real_token_0000000000");
        foreach (var path in new[] { "/account", "/apps", "/users/~/apps", "/oauth/authorizations", "/apps/anything", "/apps/anything/releases" })
        {
            foreach (var client in new[] { anonymous, wrong })
            {
                var reply = await client.Get(path);
                Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
                Assert.Equal("unauthorized", reply.ErrorId);
            }
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Post("/apps", new { name = "sneaky" })).Status);
    }

    [Fact]
    public async Task Basic_auth_with_the_token_as_password_works_like_bearer()
    {
        using var anonymous = new ApiClient(Server.CreateClient());
        var reply = await anonymous.Get("/account", Basic("", Server.AdminToken));
        Assert.Equal(HttpStatusCode.OK, reply.Status);
    }

    [Fact]
    public async Task A_user_cannot_see_or_touch_another_users_app()
    {
        using var admin = Server.Api();
        var email = $"bob-{Guid.NewGuid().ToString("N")[..6]}@nuvem.test";
        var created = await admin.Post("/users", new { email, password = "bob-password-1" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var adminApp = await fixture.NewAppAsync(admin, "admins");

        var token = (await Login(email, "bob-password-1")).Json["access_token"]!["token"]!.GetValue<string>();
        using var bob = Server.Api(token);
        Assert.DoesNotContain((await bob.Get("/apps")).Array, a => a!["name"]!.GetValue<string>() == adminApp);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Get($"/apps/{adminApp}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Patch($"/apps/{adminApp}/config-vars", new { STOLEN = "1" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Delete($"/apps/{adminApp}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.Get($"/apps/{adminApp}")).Status);
        Assert.Empty((await admin.Get($"/apps/{adminApp}/config-vars")).Json.AsObject());

        // Bob's own app is his, and its name is then taken for everyone.
        var bobsApp = await fixture.NewAppAsync(bob, "bobs");
        Assert.Equal(email, (await bob.Get($"/apps/{bobsApp}")).Json["owner"]!["email"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Get($"/apps/{bobsApp}")).Status);

        // Managing accounts is for admins only.
        var forbidden = await bob.Post("/users", new { email = "eve@nuvem.test", password = "eve-password" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal("forbidden", forbidden.ErrorId);
    }

    [Fact]
    public async Task Creating_users_validates_email_password_and_duplicates()
    {
        using var admin = Server.Api();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.Post("/users", new { email = "not-an-email", password = "long-enough" })).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.Post("/users", new { email = "short@nuvem.test", password = "x" })).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.Post("/users", new { email = "nopass@nuvem.test" })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Post("/users", new { email = NuvemServer.AdminEmail, password = "long-enough" })).Status);
    }
}
