using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.State;
using Nuvem.Platform.Tarballs;

namespace Nuvem.Platform.Slugs;

/// <summary>
/// Takes the tarball of a slug registered through the API: the PUT to its <c>blob.url</c> (Heroku hands out an S3 URL;
/// ours is on the API itself). The URL's token is the only credential — curl sends no Authorization header — so it is
/// long and random, only its hash is kept, and it works once: a slug's code never changes after it is uploaded.
/// </summary>
public sealed class SlugUploads(Database database, SlugBlobStore store, SlugLimits limits)
{
    private readonly SlugStore _slugs = new(database);

    /// <summary>Slugs whose upload is under way: a second PUT at the same time is refused, not raced.</summary>
    private readonly ConcurrentDictionary<string, byte> _inFlight = new();

    public static string PathFor(string slugId) => $"/slug-blobs/{slugId}";

    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string HashToken(string token) => TokenHasher.Hash(token);

    /// <summary>Stores the body as the slug's tarball if it is gzip, passes the tarball filter, fits the slug size limit
    /// and matches the checksum the slug was created with; otherwise refuses it and stores nothing.</summary>
    public async Task UploadAsync(string slugId, string? token, Stream body, CancellationToken cancellation)
    {
        var slug = _slugs.Upload(slugId);
        if (slug is null || !TokenMatches(slug.Value.BlobTokenHash, token))
            throw PlatformException.NotFound("slug", "No such slug upload URL: take blob.url from the answer to POST /apps/{app}/slugs.");
        if (slug.Value.BlobState == SlugReadiness.Stored) throw AlreadyUploaded(slugId);
        if (!_inFlight.TryAdd(slugId, 0))
            throw new PlatformException(ErrorKind.Conflict, "conflict", $"Slug {slugId} is being uploaded by another request.");
        try
        {
            StoredSlug stored;
            try
            {
                stored = await store.UploadAsync(body, limits.MaxSlugBytes, slug.Value.Checksum, cancellation);
            }
            catch (SlugNotGzipException e)
            {
                throw new PlatformException(ErrorKind.UnsupportedMediaType, "unsupported_media_type", e.Message);
            }
            catch (SlugChecksumMismatchException e)
            {
                throw PlatformException.Invalid(e.Message);
            }
            catch (TarballRejectedException e)
            {
                throw PlatformException.Invalid($"The slug was refused, nothing was stored: {e.Message}");
            }
            catch (SlugTooLargeException e)
            {
                throw new PlatformException(ErrorKind.TooLarge, "request_too_large", e.Message);
            }
            if (!_slugs.MarkStored(slugId, stored)) throw AlreadyUploaded(slugId);
        }
        finally
        {
            _inFlight.TryRemove(slugId, out _);
        }
    }

    private static bool TokenMatches(string? hash, string? token) =>
        hash is not null && token is { Length: > 0 }
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), Encoding.ASCII.GetBytes(HashToken(token)));

    private static PlatformException AlreadyUploaded(string slugId) => new(ErrorKind.Conflict, "conflict",
        $"Slug {slugId} has been uploaded already, and a slug's tarball is written once. Create a new slug for new code.");
}

/// <summary>How big a slug may be (the same limit as a build's slug), for uploads through the API.</summary>
public sealed record SlugLimits(long MaxSlugBytes);
