using Dapper;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Git;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Apps;

/// <summary>
/// Destroying an app takes everything of it with it, so that nothing of its code, config or output outlives it on the
/// platform's disk: its records (releases, slugs, builds, formation, dynos, domains, drains and stored log lines go
/// with the app's row), its dynos, its git repository, its build cache, the output of its builds and release phases,
/// the slug tarballs no other app's slug holds (the store keeps identical slugs once), and its log stream in memory.
/// </summary>
public sealed class AppDestroyer(
    Database database,
    AppService apps,
    AppRepositories repositories,
    SlugBlobStore slugs,
    ILogplex logplex,
    DomainService domains,
    IScheduler dynos,
    string dataDir)
{
    public async Task DestroyAsync(App app)
    {
        var (checksums, outputs) = database.Read(c => (
            c.Query<string>("SELECT DISTINCT checksum FROM slugs WHERE app_id = @Id AND checksum IS NOT NULL", new { app.Id }).AsList(),
            c.Query<string>("""
                SELECT output_path FROM builds WHERE app_id = @Id AND output_path IS NOT NULL
                UNION SELECT output_path FROM releases WHERE app_id = @Id AND output_path IS NOT NULL
                """, new { app.Id }).AsList()));

        apps.Destroy(app);
        domains.Invalidate(); // its hosts stop answering with the next request
        await dynos.ForgetAsync(app.Id); // its dynos stop before what they run from goes

        repositories.Delete(app);
        var cache = Path.Combine(dataDir, "cache", app.Id);
        if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        if (File.Exists(cache + ".img")) File.Delete(cache + ".img");
        foreach (var checksum in checksums)
        {
            // In the write lock: a slug record another app makes with this checksum meanwhile comes before or after, not during.
            database.Write((c, t) =>
            {
                if (c.ExecuteScalar<long>("SELECT COUNT(*) FROM slugs WHERE checksum = @checksum", new { checksum }, t) == 0) slugs.Delete(checksum);
            });
        }
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
