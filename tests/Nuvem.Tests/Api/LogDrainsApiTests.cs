using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Api;

/// <summary><c>/apps/{app}/log-drains</c> as the heroku CLI uses them (reference 5.5), and the empty add-on,
/// collaborator and pipeline answers <c>apps:info</c> and <c>addons</c> need.</summary>
[Collection(ServerCollection.Name)]
public sealed class LogDrainsApiTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    [Fact]
    public async Task Drains_are_added_listed_and_removed_by_encoded_url_or_id()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        Assert.Equal("[]", (await api.Get($"/apps/{app}/log-drains")).Text);

        var added = await api.Post($"/apps/{app}/log-drains", new { url = "syslog+tls://logs.example.com:6514" });
        Assert.Equal(HttpStatusCode.Created, added.Status);
        Assert.Equal("syslog+tls://logs.example.com:6514", added.Json["url"]!.GetValue<string>());
        Assert.Matches("^d\\.[0-9a-f-]{36}$", added.Json["token"]!.GetValue<string>());
        Assert.True(Guid.TryParse(added.Json["id"]!.GetValue<string>(), out _));
        Assert.Null(added.Json["addon"]);
        Assert.NotNull(added.Json["created_at"]);
        Assert.NotNull(added.Json["updated_at"]);
        var https = await api.Post($"/apps/{app}/log-drains", new { url = "https://user:secret@logs.example.com/drain" });
        Assert.Equal(HttpStatusCode.Created, https.Status);
        Assert.Equal(2, (await api.Get($"/apps/{app}/log-drains")).Array.Count);

        // The same URL twice is refused.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Post($"/apps/{app}/log-drains", new { url = "syslog+tls://logs.example.com:6514" })).Status);

        // What `heroku drains:remove URL` sends: encodeURIComponent of the URL.
        var removed = await api.Delete($"/apps/{app}/log-drains/{Uri.EscapeDataString("syslog+tls://logs.example.com:6514")}");
        Assert.Equal(HttpStatusCode.OK, removed.Status);
        Assert.Equal(added.Json["id"]!.GetValue<string>(), removed.Json["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await api.Delete($"/apps/{app}/log-drains/{https.Json["id"]!.GetValue<string>()}")).Status);
        Assert.Equal("[]", (await api.Get($"/apps/{app}/log-drains")).Text);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Delete($"/apps/{app}/log-drains/{Uri.EscapeDataString("syslog://gone.example.com:514")}")).Status);
    }

    [Theory]
    [InlineData("http://logs.example.com/")]
    [InlineData("ftp://logs.example.com/")]
    [InlineData("syslog://logs.example.com")]
    [InlineData("logs.example.com:514")]
    [InlineData("")]
    public async Task Urls_that_could_never_be_delivered_are_refused(string url)
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var reply = await api.Post($"/apps/{app}/log-drains", new { url });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reply.Status);
        Assert.Equal("invalid_params", reply.ErrorId);
    }

    [Fact]
    public async Task An_app_has_at_most_five_drains()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Created, (await api.Post($"/apps/{app}/log-drains", new { url = $"syslog://logs{i}.example.com:514" })).Status);
        var sixth = await api.Post($"/apps/{app}/log-drains", new { url = "syslog://logs5.example.com:514" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, sixth.Status);
        Assert.Contains("5 log drains", sixth.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Add_ons_attachments_and_collaborators_are_empty_and_there_is_no_pipeline_coupling()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        foreach (var path in new[] { $"/apps/{app}/addons", $"/apps/{app}/addon-attachments", $"/apps/{app}/collaborators", "/addons", "/addon-attachments" })
        {
            var reply = await api.Get(path);
            Assert.True(reply.Status == HttpStatusCode.OK, $"{path}: {reply.Status} {reply.Text}");
            Assert.Equal("[]", reply.Text);
        }
        var coupling = await api.Get($"/apps/{app}/pipeline-couplings");
        Assert.Equal(HttpStatusCode.NotFound, coupling.Status);
        Assert.Equal("not_found", coupling.ErrorId);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Get("/apps/no-such-app-here/addons")).Status);
    }
}
