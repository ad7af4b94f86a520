namespace Nuvem.Platform.Slugs;

/// <summary>A slug by id and the checksum of its tarball: how dynos name what they run, wherever the bytes are.</summary>
public sealed record SlugReference(string Id, string Checksum);

/// <summary>
/// Where a dyno runtime gets a slug's tarball. Locally the platform's content-addressed store
/// (<see cref="SlugBlobStore"/>) already holds it as a file; a Kubernetes node, which cannot read the platform's disk,
/// would fetch it by URL into a cache of its own.
/// </summary>
public interface ISlugBlobs
{
    /// <summary>The slug's tarball as a file on this machine, for the runtime to unpack.</summary>
    /// <exception cref="IOException">The tarball is not to be had.</exception>
    Task<string> LocalFileAsync(SlugReference slug, CancellationToken cancellation);
}
