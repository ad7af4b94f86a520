namespace Nuvem.Platform.Slugs;

/// <summary>
/// Whether a slug can be released and run: its tarball was stored (packed by a build, or uploaded and matching its
/// checksum) and is still in the store. Releases, rollbacks and the dyno manager ask the same question.
/// </summary>
public static class SlugReadiness
{
    /// <summary>Registered through the API; its tarball has not been uploaded (or was refused).</summary>
    public const string Awaiting = "awaiting";

    /// <summary>Its tarball went into the store under its checksum.</summary>
    public const string Stored = "stored";

    /// <returns>Null when the slug is ready; else why not, in words for people.</returns>
    public static string? Problem(string slugId, string? blobState, string? checksum, SlugBlobStore store)
    {
        if (blobState != Stored)
            return $"Slug {slugId} has no tarball: PUT the gzipped tarball to the slug's blob.url (from POST /apps/{{app}}/slugs) first.";
        if (!SlugBlobStore.IsChecksum(checksum))
            return $"Slug {slugId} has checksum '{checksum}', which is not SHA256: and 64 hex digits: its tarball cannot be found.";
        if (!store.Has(checksum))
            return $"The tarball of slug {slugId} ({checksum}) is not in the slug store.";
        return null;
    }
}
