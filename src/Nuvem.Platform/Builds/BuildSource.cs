namespace Nuvem.Platform.Builds;

/// <summary>
/// Where a build's source comes from: a tar (optionally gzipped) the platform already holds (a push, an upload), opened
/// when the build starts, or a URL elsewhere that the build dyno downloads — from its own network, so a URL cannot make
/// the platform call its own loopback or private networks.
/// </summary>
public sealed record BuildSource(Func<CancellationToken, Task<Stream>>? Open, string? Version, string? Url)
{
    public static BuildSource Held(Func<CancellationToken, Task<Stream>> open, string? version, string? url = null) => new(open, version, url);

    public static BuildSource Download(string url, string? version) => new(null, version, url);
}
