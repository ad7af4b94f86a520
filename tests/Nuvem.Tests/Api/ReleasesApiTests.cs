using System.Net;
using System.Text.Json.Nodes;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Api;

[Collection(ServerCollection.Name)]
public sealed class ReleasesApiTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private async Task<string> AppWithReleases(ApiClient api, int configChanges)
    {
        var app = await fixture.NewAppAsync(api);
        for (var i = 0; i < configChanges; i++) await api.Patch($"/apps/{app}/config-vars", new { COUNTER = i.ToString() });
        return app;
    }

    [Fact]
    public async Task Range_with_order_desc_and_max_returns_the_newest_first_like_the_heroku_cli_expects()
    {
        using var api = Server.Api();
        var app = await AppWithReleases(api, 6); // v1..v7

        var first = await api.Get($"/apps/{app}/releases", r => r.Headers.TryAddWithoutValidation("Range", "version ..; max=3, order=desc"));
        Assert.Equal(HttpStatusCode.PartialContent, first.Status);
        Assert.Equal([7, 6, 5], first.Array.Select(r => r!["version"]!.GetValue<int>()));
        Assert.True(first.Array[0]!["current"]!.GetValue<bool>());
        var next = first.Headers.GetValues("Next-Range").Single();

        var second = await api.Get($"/apps/{app}/releases", r => r.Headers.TryAddWithoutValidation("Range", next));
        Assert.Equal([4, 3, 2], second.Array.Select(r => r!["version"]!.GetValue<int>()));
        var third = await api.Get($"/apps/{app}/releases", r => r.Headers.TryAddWithoutValidation("Range", second.Headers.GetValues("Next-Range").Single()));
        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Equal([1], third.Array.Select(r => r!["version"]!.GetValue<int>()));
        Assert.False(third.Headers.Contains("Next-Range"));

        // The CLI's other spellings of the same header.
        var one = await api.Get($"/apps/{app}/releases", r => r.Headers.TryAddWithoutValidation("Range", "version ..; order=desc,max=1"));
        Assert.Equal(7, Assert.Single(one.Array)!["version"]!.GetValue<int>());
        var empty = await api.Get($"/apps/{app}/releases", r => r.Headers.TryAddWithoutValidation("Range", ""));
        Assert.Equal(7, empty.Array.Count);
    }

    [Fact]
    public async Task Following_next_range_in_ascending_order_visits_every_release_once()
    {
        using var api = Server.Api();
        var app = await AppWithReleases(api, 4); // v1..v5
        var seen = new List<int>();
        string? range = "version ..; max=2";
        while (range is not null)
        {
            var page = await api.Get($"/apps/{app}/releases", r => r.Headers.TryAddWithoutValidation("Range", range));
            seen.AddRange(page.Array.Select(r => r!["version"]!.GetValue<int>()));
            range = page.Headers.TryGetValues("Next-Range", out var values) ? values.Single() : null;
        }
        Assert.Equal([1, 2, 3, 4, 5], seen);
    }

    [Theory]
    [InlineData("version 2..4", new[] { 2, 3, 4 })]
    [InlineData("version 4..2; order=desc", new[] { 4, 3, 2 })]
    [InlineData("version ]2..4", new[] { 3, 4 })]
    [InlineData("version ]4..; order=desc", new[] { 3, 2, 1 })]
    [InlineData("version 5..", new[] { 5 })]
    [InlineData("version ..; max=2", new[] { 1, 2 })]
    public async Task Version_ranges_select_exactly_the_asked_versions(string range, int[] expected)
    {
        using var api = Server.Api();
        var app = await AppWithReleases(api, 4); // v1..v5
        var page = await api.Get($"/apps/{app}/releases", r => r.Headers.TryAddWithoutValidation("Range", range));
        Assert.Equal(expected, page.Array.Select(r => r!["version"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Releases_can_also_be_paged_by_id()
    {
        using var api = Server.Api();
        var app = await AppWithReleases(api, 2);
        var all = (await api.Get($"/apps/{app}/releases")).Array.Select(r => r!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        var first = await api.Get($"/apps/{app}/releases", r => r.Headers.TryAddWithoutValidation("Range", "id ..; max=2"));
        Assert.Equal(HttpStatusCode.PartialContent, first.Status);
        Assert.Equal(all.Take(2), first.Array.Select(r => r!["id"]!.GetValue<string>()));
        var rest = await api.Get($"/apps/{app}/releases", r => r.Headers.TryAddWithoutValidation("Range", first.Headers.GetValues("Next-Range").Single()));
        Assert.Equal(all.Skip(2), rest.Array.Select(r => r!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Bad_range_headers_are_refused_clearly()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        foreach (var bad in new[] { "colour ..", "version ..; max=zero", "version ..; order=sideways", "version ..; bogus=1" })
        {
            var reply = await api.Get($"/apps/{app}/releases", r => r.Headers.TryAddWithoutValidation("Range", bad));
            Assert.True((int)reply.Status is >= 400 and < 500, $"{bad}: {reply.Status}");
            Assert.NotNull(reply.ErrorId);
        }
    }

    [Fact]
    public async Task Release_info_by_version_v_prefix_or_id()
    {
        using var api = Server.Api();
        var app = await AppWithReleases(api, 1);
        var byVersion = await api.Get($"/apps/{app}/releases/2");
        Assert.Equal(HttpStatusCode.OK, byVersion.Status);
        var json = byVersion.Json;
        foreach (var field in new[] { "id", "version", "description", "status", "user", "created_at", "current", "eligible_for_rollback", "addon_plan_names" })
            Assert.True(json.AsObject().ContainsKey(field), field);
        Assert.Equal("succeeded", json["status"]!.GetValue<string>());
        var id = json["id"]!.GetValue<string>();
        Assert.Equal(2, (await api.Get($"/apps/{app}/releases/v2")).Json["version"]!.GetValue<int>());
        Assert.Equal(2, (await api.Get($"/apps/{app}/releases/{id}")).Json["version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Get($"/apps/{app}/releases/99")).Status);
    }

    [Fact]
    public async Task Rollback_makes_a_new_release_with_the_old_config()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        await api.Patch($"/apps/{app}/config-vars", new { COLOR = "blue" });   // v2
        await api.Patch($"/apps/{app}/config-vars", new { COLOR = "green" });  // v3
        var v2 = (await api.Get($"/apps/{app}/releases/2")).Json["id"]!.GetValue<string>();

        var rollback = await api.Post($"/apps/{app}/releases", new { release = v2 });
        Assert.Equal(HttpStatusCode.Created, rollback.Status);
        Assert.Equal(4, rollback.Json["version"]!.GetValue<int>());
        Assert.Equal("Rollback to v2", rollback.Json["description"]!.GetValue<string>());
        Assert.Equal("blue", (await api.Get($"/apps/{app}/config-vars")).Json["COLOR"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deploying_a_slug_records_the_commit_and_slug()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api);
        var slug = await SlugBlobs.CreateAsync(Server, api, app, new { web = "./server" }, commit: "0123456789abcdef");
        var release = await api.Post($"/apps/{app}/releases", new { slug });
        Assert.Equal(HttpStatusCode.Created, release.Status);
        Assert.Equal("Deploy 0123456", release.Json["description"]!.GetValue<string>());
        Assert.Equal(slug, release.Json["slug"]!["id"]!.GetValue<string>());

        // A config change keeps the same code.
        await api.Patch($"/apps/{app}/config-vars", new { X = "1" });
        var latest = (await api.Get($"/apps/{app}/releases/3")).Json;
        Assert.Equal(slug, latest["slug"]!["id"]!.GetValue<string>());

        var neither = await api.Post($"/apps/{app}/releases", new { });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, neither.Status);
        var unknownSlug = await api.Post($"/apps/{app}/releases", new { slug = Guid.NewGuid().ToString() });
        Assert.Equal(HttpStatusCode.NotFound, unknownSlug.Status);
    }
}
