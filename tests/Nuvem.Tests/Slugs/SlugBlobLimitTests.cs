using System.Net;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Slugs;

/// <summary>An uploaded slug may be as large as NUVEM_SLUG_MAX_MB, past the HTTP server's default body limit, and no larger.</summary>
public sealed class SlugBlobLimitTests
{
    [Fact]
    public async Task A_slug_up_to_the_limit_is_taken_and_one_past_it_is_413_with_nothing_stored()
    {
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string> { ["NUVEM_SLUG_MAX_MB"] = "33" });
        using var api = server.Api();
        await api.Post("/apps", new { name = "big" });

        // Random text barely compresses: the tarballs are about as large as their files.
        static byte[] Slug(int megabytes) => SlugBlobs.Tarball(new Dictionary<string, string>
        {
            ["noise"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(megabytes * 1024 * 768)),
        });
        var fits = Slug(32);
        Assert.InRange(fits.Length, 30_000_001, 33L * 1024 * 1024); // Kestrel refuses bodies over 30,000,000 bytes unless told
        await SlugBlobs.CreateAsync(server, api, "big", new { worker = "sleep 600" }, fits);
        Assert.True(SlugBlobs.Stored(server, SlugBlobs.Checksum(fits)));

        var tooLarge = Slug(34);
        var slug = await api.Post("/apps/big/slugs", new { process_types = new { worker = "sleep 600" }, checksum = SlugBlobs.Checksum(tooLarge) });
        var put = await SlugBlobs.PutAsync(server, slug.Json["blob"]!["url"]!.GetValue<string>(), tooLarge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.Status);
        Assert.Contains("33 MB", put.Body);
        Assert.False(SlugBlobs.Stored(server, SlugBlobs.Checksum(tooLarge)));
        Assert.Empty(SlugBlobs.Leftovers(server));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Post("/apps/big/releases", new { slug = slug.Json["id"]!.GetValue<string>() })).Status);
    }
}
