using Nuvem.Platform.Builds.Runtime;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.Tarballs;

namespace Nuvem.Platform.Builds;

/// <summary>
/// The last step of a build: the build dyno writes its /app as a tar, less what <c>.slugignore</c> names, and the slug
/// store checks each entry and compresses it.
/// </summary>
internal static class SlugPacking
{
    public static async Task<StoredSlug> PackAsync(IBuildDyno dyno, IReadOnlyDictionary<string, string> environment, SlugBlobStore slugs,
        long maxSlugBytes, Func<string, Task> say, CancellationToken cancellation)
    {
        await say("-----> Compressing...");
        var ignore = SlugIgnore.Parse(await dyno.ReadAppFileAsync(environment, ".slugignore", cancellation));
        StoredSlug? stored = null;
        BuildStepResult packed;
        try
        {
            packed = await dyno.RunAsync(new BuildStep(["tar", "-c", "-f", "-", "-C", dyno.Paths.App, "."], environment, TimeSpan.FromMinutes(10),
                Output: async stdout => stored = await slugs.PackAsync(stdout, ignore.Ignores, maxSlugBytes, cancellation)), cancellation);
        }
        catch (SlugTooLargeException e) { throw new BuildFailedException(e.Message); }
        catch (TarballRejectedException e) { throw new BuildFailedException($"The built app cannot be a slug: {e.Message}"); }
        if (packed.ExitCode != 0 || stored is null) throw new BuildFailedException($"Packing the slug failed: {BuildSteps.LastLine(packed.Stderr)}");
        await say($"       Done: {HumanSize(stored.Size)}");
        return stored;
    }

    /// <summary>A size as build output shows it: 512B, 1.5K, 12.3M, 1.0G.</summary>
    public static string HumanSize(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0}G",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0}M",
        >= 1L << 10 => $"{bytes / 1024.0:0.0}K",
        _ => $"{bytes}B",
    };
}
