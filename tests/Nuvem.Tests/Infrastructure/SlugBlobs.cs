using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Nuvem.Tests.Infrastructure;

/// <summary>
/// Slugs made through the API the way Heroku's "creating slugs from scratch" does: POST the slug with the tarball's
/// checksum, then PUT the gzipped tarball to its <c>blob.url</c> as curl would (no token, no content type).
/// </summary>
public static class SlugBlobs
{
    /// <summary>A gzipped tarball of <c>./app/</c> holding <paramref name="files"/> (executable, so scripts run), then any
    /// <paramref name="extra"/> entries as they are (hostile ones included).</summary>
    public static byte[] Tarball(IReadOnlyDictionary<string, string>? files = null, params TarEntry[] extra)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./app/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) });
            foreach (var (name, content) in files ?? new Dictionary<string, string> { ["README"] = "A slug uploaded by the tests.\n" })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./app/" + name)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    Mode = (UnixFileMode)Convert.ToInt32("755", 8),
                });
            }
            foreach (var entry in extra) tar.WriteEntry(entry);
        }
        return buffer.ToArray();
    }

    /// <summary>The files of a web app run as <c>python3 server.py</c>: it answers "DYNO <paramref name="greeting"/>" on $PORT.</summary>
    public static Dictionary<string, string> WebApp(string greeting) => new()
    {
        ["server.py"] = PythonWebServer.Source(System.Text.Json.JsonSerializer.Serialize(greeting)),
    };

    public static string Checksum(byte[] tarball) => "SHA256:" + Convert.ToHexStringLower(SHA256.HashData(tarball));

    /// <summary>Whether the server's slug store holds a tarball of this checksum.</summary>
    public static bool Stored(NuvemServer server, string checksum) => File.Exists(SlugFiles.PathOf(server, checksum));

    /// <summary>Files an upload left half-written in the store (there should never be any once a PUT has answered).</summary>
    public static string[] Leftovers(NuvemServer server)
    {
        var store = Path.Combine(server.DataDir, "slugs");
        return Directory.Exists(store) ? Directory.GetFiles(store, "incoming-*") : [];
    }

    /// <summary>PUT to a blob URL like <c>curl -X PUT -H "Content-Type:" --data-binary @slug.tgz URL</c>.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> PutAsync(NuvemServer server, string url, byte[] body)
    {
        using var curl = server.CreateClient(token: null, accept: "*/*");
        using var response = await curl.PutAsync(url, new ByteArrayContent(body));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>POSTs a slug declaring the tarball's checksum and uploads the tarball to its blob URL.</summary>
    /// <returns>The slug's id.</returns>
    public static async Task<string> CreateAsync(NuvemServer server, ApiClient api, string app, object processTypes,
        byte[]? tarball = null, string? commit = null)
    {
        tarball ??= Tarball();
        var slug = await api.Post($"/apps/{app}/slugs", new { process_types = processTypes, checksum = Checksum(tarball), commit });
        Assert.True(slug.Status == HttpStatusCode.Created, slug.Text);
        Assert.Equal("put", slug.Json["blob"]!["method"]!.GetValue<string>());
        var put = await PutAsync(server, slug.Json["blob"]!["url"]!.GetValue<string>(), tarball);
        Assert.True(put.Status == HttpStatusCode.OK, $"PUT of the slug's blob answered {(int)put.Status}: {put.Body}");
        return slug.Json["id"]!.GetValue<string>();
    }
}
