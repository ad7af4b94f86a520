using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Api;

/// <summary><c>/apps/{app}/domains</c> and <c>/apps/{app}/sni-endpoints</c> as the heroku CLI uses them (reference 5.7).</summary>
[Collection(ServerCollection.Name)]
public sealed class DomainsApiTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private static string UniqueHost(string prefix = "www") => $"{prefix}.shop-{Guid.NewGuid().ToString("N")[..10]}.example.com";

    [Fact]
    public async Task A_new_app_lists_its_default_domain_of_kind_heroku()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var list = await api.Get($"/apps/{app}/domains", r => r.Headers.TryAddWithoutValidation("Range", "id ..; max=1000;"));
        Assert.Equal(HttpStatusCode.OK, list.Status);
        var domain = Assert.Single(list.Array)!;
        Assert.Equal($"{app}.localhost", domain["hostname"]!.GetValue<string>());
        Assert.Equal("heroku", domain["kind"]!.GetValue<string>());
        Assert.Null(domain["cname"]);
        Assert.Equal("none", domain["status"]!.GetValue<string>());
        Assert.Null(domain["acm_status"]);
        Assert.Null(domain["sni_endpoint"]);
        Assert.Equal(app, domain["app"]!["name"]!.GetValue<string>());
        Assert.True(Guid.TryParse(domain["id"]!.GetValue<string>(), out _));
        Assert.NotNull(domain["created_at"]);
        Assert.NotNull(domain["updated_at"]);

        // The id is stable, so the default domain can be fetched by it like any other.
        var byId = await api.Get($"/apps/{app}/domains/{domain["id"]!.GetValue<string>()}");
        Assert.Equal($"{app}.localhost", byId.Json["hostname"]!.GetValue<string>());
    }

    [Fact]
    public async Task Adding_a_custom_domain_as_the_heroku_cli_does_then_finding_and_removing_it()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        Assert.Equal("[]", (await api.Get($"/apps/{app}/sni-endpoints")).Text);

        var host = UniqueHost();
        var added = await api.Post($"/apps/{app}/domains", new { hostname = host.ToUpperInvariant() + ".", sni_endpoint = (string?)null });
        Assert.Equal(HttpStatusCode.Created, added.Status);
        Assert.Equal(host, added.Json["hostname"]!.GetValue<string>());
        Assert.Equal("custom", added.Json["kind"]!.GetValue<string>());
        Assert.Equal($"{app}.localhost", added.Json["cname"]!.GetValue<string>());
        Assert.Equal("none", added.Json["status"]!.GetValue<string>());
        var id = added.Json["id"]!.GetValue<string>();

        Assert.Equal(id, (await api.Get($"/apps/{app}/domains/{host}")).Json["id"]!.GetValue<string>());
        Assert.Equal(host, (await api.Get($"/apps/{app}/domains/{id}")).Json["hostname"]!.GetValue<string>());
        var list = (await api.Get($"/apps/{app}/domains")).Array;
        Assert.Equal(2, list.Count);
        Assert.Contains(list, d => d!["hostname"]!.GetValue<string>() == host && d["kind"]!.GetValue<string>() == "custom");

        var removed = await api.Delete($"/apps/{app}/domains/{host}");
        Assert.Equal(HttpStatusCode.OK, removed.Status);
        Assert.Equal(id, removed.Json["id"]!.GetValue<string>());
        var gone = await api.Get($"/apps/{app}/domains/{host}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal("not_found", gone.ErrorId);
        Assert.Single((await api.Get($"/apps/{app}/domains")).Array);
    }

    [Fact]
    public async Task A_hostname_belongs_to_one_app_only()
    {
        using var api = Server.Api();
        var first = await fixture.NewAppAsync(api);
        var second = await fixture.NewAppAsync(api);
        var host = UniqueHost();
        Assert.Equal(HttpStatusCode.Created, (await api.Post($"/apps/{first}/domains", new { hostname = host })).Status);

        var again = await api.Post($"/apps/{first}/domains", new { hostname = host });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.Status);
        Assert.Contains("already added to this app", again.Json["message"]!.GetValue<string>());

        var elsewhere = await api.Post($"/apps/{second}/domains", new { hostname = host });
        Assert.Equal(HttpStatusCode.Conflict, elsewhere.Status);
        Assert.Contains("already in use by another app", elsewhere.Json["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("localhost", "at least two labels")]
    [InlineData("a..example.com", "empty label")]
    [InlineData("-a.example.com", "hyphen")]
    [InlineData("a_b.example.com", "'_' is not allowed")]
    [InlineData("*.com", "too broad")]
    [InlineData("a.*.example.com", "wildcard")]
    [InlineData("foo*.example.com", "wildcard")]
    [InlineData("127.0.0.1", "IP address")]
    [InlineData("example.123", "all digits")]
    [InlineData("some-app.localhost", "default host")]
    [InlineData("*.localhost", "too broad")]
    public async Task Invalid_hostnames_are_refused_with_the_reason(string hostname, string reason)
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var reply = await api.Post($"/apps/{app}/domains", new { hostname });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Equal("invalid_params", reply.ErrorId);
        Assert.Contains(reason, reply.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Long_labels_and_names_are_refused_and_wildcards_and_deeper_platform_hosts_accepted()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var longLabel = new string('a', 64) + ".example.com";
        Assert.Contains("longer than 63", (await api.Post($"/apps/{app}/domains", new { hostname = longLabel })).Json["message"]!.GetValue<string>());
        var longName = string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".example.com";
        Assert.Contains("too long", (await api.Post($"/apps/{app}/domains", new { hostname = longName })).Json["message"]!.GetValue<string>());

        var wildcard = "*." + UniqueHost("w")[2..];
        Assert.Equal(HttpStatusCode.Created, (await api.Post($"/apps/{app}/domains", new { hostname = wildcard })).Status);
        var deeper = $"api.{app}.localhost";
        Assert.Equal(HttpStatusCode.Created, (await api.Post($"/apps/{app}/domains", new { hostname = deeper })).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Post($"/apps/{app}/domains", new { hostname = 42 })).Status);
    }

    [Fact]
    public async Task The_default_domain_cannot_be_removed_and_unknown_ones_are_not_found()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var reply = await api.Delete($"/apps/{app}/domains/{app}.localhost");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Contains("default domain and cannot be removed", reply.Json["message"]!.GetValue<string>());

        var unknown = await api.Delete($"/apps/{app}/domains/nowhere.example.com");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Get($"/apps/no-such-app-{Guid.NewGuid():N}/domains")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Get($"/apps/no-such-app-{Guid.NewGuid():N}/sni-endpoints")).Status);
    }

    [Fact]
    public async Task Domains_need_a_token()
    {
        using var anonymous = new ApiClient(Server.CreateClient());
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Get($"/apps/{app}/domains")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Post($"/apps/{app}/domains", new { hostname = UniqueHost() })).Status);
    }
}
