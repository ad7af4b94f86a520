using System.Security.Cryptography;
using System.Text;
using Nuvem.Platform;

namespace Nuvem.Server.Api.Streams;

/// <summary>
/// URLs that carry their own credential, for clients that send no Authorization header: build and release
/// output (the heroku CLI fetches <c>output_stream_url</c> plainly) and source uploads (<c>put_url</c>).
/// The credential is an HMAC of the resource with a key kept in the data directory, so nothing per URL is stored
/// and URLs keep working across restarts.
/// </summary>
public sealed class SignedUrls
{
    private readonly byte[] _key;
    private readonly PlatformSettings _settings;

    public SignedUrls(string dataDir, PlatformSettings settings)
    {
        _settings = settings;
        var path = Path.Combine(dataDir, "url-signing.key");
        if (!File.Exists(path))
        {
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            stream.Write(RandomNumberGenerator.GetBytes(32));
        }
        _key = File.ReadAllBytes(path);
    }

    /// <param name="path">The path part, e.g. <c>/streams/builds/ID</c>.</param>
    public string Url(string path) => $"https://{_settings.ApiHost}:{_settings.ApiPort}{path}?token={Token(path)}";

    /// <summary>A URL whose query (in this exact order and spelling) is covered by the signature too.</summary>
    /// <param name="query">Already escaped, without the leading '?', e.g. <c>lines=100&amp;tail=1</c>.</param>
    public string Url(string path, string query) =>
        $"https://{_settings.ApiHost}:{_settings.ApiPort}{path}?{query}&token={Token(path + "?" + query)}";

    public bool Verify(string path, string query, string? token) => Verify(path + "?" + query, token);

    public bool Verify(string path, string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Token(path)), Encoding.ASCII.GetBytes(token));

    private string Token(string path) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(path)))[..40];
}
