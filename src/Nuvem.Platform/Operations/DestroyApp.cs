using Nuvem.Platform.AddOns;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Git;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Operations;

/// <summary>
/// Destroying an app (<c>DELETE /apps/{app}</c>) takes everything of it with it, so that nothing of its code, config or
/// output outlives it on the platform's disk: its records (releases, slugs, builds, formation, dynos, domains, drains and
/// stored log lines go with the app's row), its dynos, its git repository, its build cache, the output of its builds and
/// release phases, the slug tarballs no other app's slug holds (the store keeps identical slugs once), and its log
/// stream in memory. The add-ons it owns are deprovisioned first (detached from other apps, with a release there), so
/// no database outlives its app; when a provider fails, the app stays and the destroy can be retried.
/// </summary>
public sealed class DestroyApp(
    AppService apps,
    SlugStore slugRecords,
    ReleaseStore releases,
    BuildStore builds,
    AppRepositories repositories,
    SlugBlobStore slugs,
    ILogplex logplex,
    DomainService domains,
    IScheduler scheduler,
    string dataDir,
    AddOnStore? addOns = null,
    DestroyAddOn? destroyAddOn = null)
{
    public async Task RunAsync(App app)
    {
        if (addOns is not null && destroyAddOn is not null)
            foreach (var addOn in addOns.OwnedBy(app.Id)) await destroyAddOn.RunAsync(addOn, userId: null, force: true, dyingAppId: app.Id);

        var checksums = slugRecords.ChecksumsOf(app.Id);
        var outputs = builds.List(app).Select(b => b.OutputPath).Concat(releases.OutputPathsOf(app.Id))
            .OfType<string>().Distinct().ToList();

        apps.Destroy(app);
        domains.Invalidate(); // its hosts stop answering with the next request
        await scheduler.ForgetAsync(app.Id); // its dynos stop before what they run from goes

        repositories.Delete(app);
        var cache = Path.Combine(dataDir, "cache", app.Id);
        if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        if (File.Exists(cache + ".img")) File.Delete(cache + ".img");
        foreach (var checksum in checksums) slugRecords.IfUnreferenced(checksum, () => slugs.Delete(checksum));
        foreach (var output in outputs.Where(o => IsOutputFile(o) && File.Exists(o))) File.Delete(output);
        logplex.Forget(app.Id);
    }

    /// <summary>Stored paths are removed only where the platform keeps build and release-phase output.</summary>
    private bool IsOutputFile(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        return directory == Path.Combine(dataDir, "builds") || directory == Path.Combine(dataDir, "releases");
    }
}
