using Dapper;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Builds;

/// <summary>The <c>builds</c> table's owner: every statement about builds is written here.</summary>
public sealed class BuildStore(Database database)
{
    private const string Select = """
        SELECT b.id, b.app_id, b.status, b.user_id, u.email AS user_email, b.slug_id, b.release_id, b.source_url, b.source_version,
               b.output_path, b.buildpacks, b.created_at, b.updated_at
        FROM builds b LEFT JOIN users u ON u.id = b.user_id
        """;

    public IReadOnlyList<Build> List(App app) =>
        database.Read(c => c.Query<Build>($"{Select} WHERE b.app_id = @Id ORDER BY b.created_at", new { app.Id }).AsList());

    public Build Get(App app, string id) =>
        database.Read(c => c.QuerySingleOrDefault<Build>($"{Select} WHERE b.app_id = @appId AND b.id = @id", new { appId = app.Id, id }))
        ?? throw PlatformException.NotFound("build");

    /// <summary>Records a new, pending build; its output goes to a file named after it in <paramref name="logsDirectory"/>.</summary>
    public Build Start(App app, string userId, string? sourceUrl, string? sourceVersion, string logsDirectory)
    {
        var id = Guid.NewGuid().ToString();
        var outputPath = Path.Combine(logsDirectory, id + ".log");
        var now = Timestamp.Now();
        database.Write((c, t) => c.Execute("""
            INSERT INTO builds (id, app_id, status, user_id, source_url, source_version, output_path, created_at, updated_at)
            VALUES (@id, @appId, 'pending', @userId, @sourceUrl, @sourceVersion, @outputPath, @now, @now)
            """, new { id, appId = app.Id, userId, sourceUrl, sourceVersion, outputPath, now }, t));
        return Get(app, id);
    }

    /// <summary>
    /// Marks failed every build still pending, with a last line in its output saying why. Only at start, before
    /// builds are taken: a pending build then belongs to a platform that stopped during it, and nothing resumes it.
    /// </summary>
    /// <returns>The builds it failed, as they were.</returns>
    public IReadOnlyList<Build> FailInterrupted(string notice)
    {
        var interrupted = database.Write((c, t) =>
        {
            var pending = c.Query<Build>($"{Select} WHERE b.status = @Pending", new { BuildStatus.Pending }, t).AsList();
            c.Execute("UPDATE builds SET status = @Failed, updated_at = @now WHERE status = @Pending",
                new { BuildStatus.Failed, BuildStatus.Pending, now = Timestamp.Now() }, t);
            return pending;
        });
        foreach (var build in interrupted)
        {
            if (build.OutputPath is { } path) OutputLog.Append(path, notice);
        }
        return interrupted;
    }

    public void Finish(Build build, string status, string? buildpacks, string? slugId = null, string? releaseId = null) =>
        database.Write((c, t) => c.Execute(
            "UPDATE builds SET status = @status, buildpacks = @buildpacks, slug_id = @slugId, release_id = @releaseId, updated_at = @now WHERE id = @Id",
            new { status, buildpacks, slugId, releaseId, now = Timestamp.Now(), build.Id }, t));
}
