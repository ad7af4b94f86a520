using System.Data;
using Dapper;
using Nuvem.Platform.Apps;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Formation;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Releases;

/// <summary>The release history of an app: list, look up, deploy a slug, roll back. Every new release is announced
/// in the app's log (<c>app[api]: Deploy 1a2b3c4 by user …</c>, <c>app[api]: Release v3 created by user …</c>).</summary>
public sealed class ReleaseService(Database database, PlatformSettings settings, ILogplex logplex, Slugs.SlugBlobStore slugStore)
{
    private const string Select = """
        SELECT r.id, r.app_id, a.name AS app_name, r.version, r.description, r.status, r.user_id, u.email AS user_email,
               r.slug_id, r.config_vars AS config_json, r.output_path, r.created_at, r.updated_at
        FROM releases r JOIN apps a ON a.id = r.app_id LEFT JOIN users u ON u.id = r.user_id
        """;

    private static readonly string CurrentVersion = "SELECT " + ReleaseStore.CurrentVersionOf("@appId");

    public IReadOnlyList<Release> List(App app) => Query(app, $"{Select} WHERE r.app_id = @appId ORDER BY r.version", new { appId = app.Id });

    /// <summary>
    /// One page of the history by version, done in SQL: apps accumulate thousands of releases and clients
    /// (the heroku CLI after every config change) ask for just the newest few.
    /// </summary>
    /// <param name="from">First version to include (or to skip, when <paramref name="fromExclusive"/>); null starts at the newest (descending) or v1.</param>
    /// <param name="to">Last version to include; null runs to the end.</param>
    public IReadOnlyList<Release> Slice(App app, long? from, bool fromExclusive, long? to, int limit, bool descending)
    {
        var (after, before) = descending ? ("<", ">") : (">", "<");
        var where = new List<string> { "r.app_id = @appId" };
        if (from is not null) where.Add($"r.version {after}{(fromExclusive ? "" : "=")} @from");
        if (to is not null) where.Add($"r.version {before}= @to");
        return Query(app, $"{Select} WHERE {string.Join(" AND ", where)} ORDER BY r.version {(descending ? "DESC" : "ASC")} LIMIT @limit",
            new { appId = app.Id, from, to, limit });
    }

    private IReadOnlyList<Release> Query(App app, string sql, object parameters) =>
        database.Read(c =>
        {
            var current = c.ExecuteScalar<long?>(CurrentVersion, new { appId = app.Id });
            return c.Query<ReleaseRow>(sql, parameters).Select(r => r.ToRelease(current)).AsList();
        });

    /// <param name="versionOrId">"3", "v3" or a release id.</param>
    public Release Find(App app, string versionOrId)
    {
        var key = versionOrId.Trim();
        var numeric = key.StartsWith('v') || key.StartsWith('V') ? key[1..] : key;
        var found = long.TryParse(numeric, out var version)
            ? Query(app, $"{Select} WHERE r.app_id = @appId AND r.version = @version", new { appId = app.Id, version })
            : Query(app, $"{Select} WHERE r.app_id = @appId AND r.id = @key", new { appId = app.Id, key });
        return found.SingleOrDefault() ?? throw PlatformException.NotFound("release");
    }

    public Release? Current(App app) =>
        Query(app, $"{Select} WHERE r.app_id = @appId AND r.version = ({CurrentVersion})", new { appId = app.Id }).SingleOrDefault();

    /// <summary>Releases a slug with the app's current config vars (Heroku's <c>POST /apps/{app}/releases {"slug"}</c>).</summary>
    /// <remarks>When the slug has a release phase the new release is <c>pending</c>, and becomes current only once
    /// <see cref="Complete"/> marks it succeeded (see <see cref="ReleasePhase"/>).</remarks>
    public Release Deploy(App app, string userId, string slugId, string? description)
    {
        var id = database.Write((c, t) =>
        {
            var slug = c.QuerySingleOrDefault<(string Id, string? CommitSha, string ProcessTypes)>(
                "SELECT id, commit_sha, process_types FROM slugs WHERE app_id = @appId AND id = @slugId", new { appId = app.Id, slugId }, t);
            if (slug.Id is null) throw PlatformException.NotFound("slug");
            if (SlugProblem(c, t, slug.Id) is { } problem) throw PlatformException.Invalid($"{problem} Nothing was released.");
            var config = c.ExecuteScalar<string>("SELECT config_vars FROM apps WHERE id = @Id", new { app.Id }, t)!;
            var text = string.IsNullOrWhiteSpace(description)
                ? $"Deploy {(slug.CommitSha is { Length: > 0 } sha ? sha[..Math.Min(7, sha.Length)] : slug.Id[..8])}"
                : description.Trim();
            var release = Append(c, t, app.Id, text, userId, slug.Id, config, out var status);
            if (status == ReleaseStatus.Succeeded)
                FormationSync.Apply(c, t, app.Id, Slugs.SlugService.ParseProcessTypes(slug.ProcessTypes), settings.DynoSizes.DefaultSize.Name);
            return release;
        });
        return Announced(Find(app, id));
    }

    /// <summary>Ends a pending release: succeeded makes it current (and its process types the formation's),
    /// failed leaves the current release as it was.</summary>
    public Release Complete(App app, Release release, bool succeeded)
    {
        database.Write((c, t) =>
        {
            var now = Timestamp.Now();
            c.Execute("UPDATE releases SET status = @status, updated_at = @now WHERE id = @Id",
                new { status = succeeded ? ReleaseStatus.Succeeded : ReleaseStatus.Failed, now, release.Id }, t);
            if (!succeeded || release.SlugId is null) return;
            c.Execute("UPDATE apps SET released_at = @now, updated_at = @now WHERE id = @appId", new { now, appId = app.Id }, t);
            var types = c.ExecuteScalar<string>("SELECT process_types FROM slugs WHERE id = @SlugId", new { release.SlugId }, t)!;
            FormationSync.Apply(c, t, app.Id, Slugs.SlugService.ParseProcessTypes(types), settings.DynoSizes.DefaultSize.Name);
        });
        var completed = Find(app, release.Id);
        if (!succeeded) logplex.Api(app.Id, $"Release v{completed.Version} command failed{PlatformEvents.By(completed.UserEmail)}");
        return completed;
    }

    /// <summary>The stored slug of a release and its process types, or null when it has none (or only a record without a tarball).</summary>
    public (string Checksum, IReadOnlyDictionary<string, string> Types)? SlugOf(Release release)
    {
        if (release.SlugId is null) return null;
        var row = database.Read(c => c.QuerySingleOrDefault<(string? Checksum, string Types)>(
            "SELECT checksum, process_types FROM slugs WHERE id = @SlugId", new { release.SlugId }));
        return row.Checksum is null ? null : (row.Checksum, Slugs.SlugService.ParseProcessTypes(row.Types));
    }

    public void RecordOutput(Release release, string outputPath) =>
        database.Write((c, t) => c.Execute("UPDATE releases SET output_path = @outputPath WHERE id = @Id", new { outputPath, release.Id }, t));

    /// <summary>
    /// Marks failed every release still pending, a line saying why at the end of its release phase's output. Only at
    /// start: a pending release then had its release phase cut short by a platform that stopped, and nothing resumes
    /// it. The current release stays what it was, as after any failed release phase.
    /// </summary>
    /// <param name="outputDirectory">Where the output of a release whose phase had not started yet goes.</param>
    /// <returns>The releases it failed.</returns>
    public IReadOnlyList<Release> FailInterrupted(string outputDirectory, string notice)
    {
        var interrupted = database.Write((c, t) =>
        {
            var pending = c.Query<ReleaseRow>($"{Select} WHERE r.status = @Pending", new { ReleaseStatus.Pending }, t)
                .Select(r => r with { Status = ReleaseStatus.Failed, OutputPath = r.OutputPath ?? Path.Combine(outputDirectory, r.Id + ".log") })
                .Select(r => r.ToRelease(currentVersion: null))
                .AsList();
            foreach (var release in pending)
            {
                c.Execute("UPDATE releases SET status = @Status, output_path = @OutputPath, updated_at = @now WHERE id = @Id",
                    new { release.Status, release.OutputPath, now = Timestamp.Now(), release.Id }, t);
            }
            return pending;
        });
        foreach (var release in interrupted)
        {
            OutputLog.Append(release.OutputPath!, notice);
            logplex.Api(release.AppId, $"Release v{release.Version} command failed: the platform restarted during it");
        }
        return interrupted;
    }

    /// <summary>Makes a new release with the target's slug and config vars ("Rollback to v3"); the app's config follows.</summary>
    public Release Rollback(App app, string userId, string releaseIdOrVersion)
    {
        var target = Find(app, releaseIdOrVersion);
        if (!target.EligibleForRollback)
            throw PlatformException.Invalid($"Release v{target.Version} has status {target.Status} and cannot be rolled back to.");
        var id = database.Write((c, t) =>
        {
            if (target.SlugId is not null && SlugProblem(c, t, target.SlugId) is { } problem)
                throw PlatformException.Invalid($"Release v{target.Version} cannot be rolled back to: {problem}");
            var config = ConfigVarsJson.Serialize(target.ConfigVars);
            c.Execute("UPDATE apps SET config_vars = @config, updated_at = @now WHERE id = @Id", new { config, now = Timestamp.Now(), app.Id }, t);
            var release = Append(c, t, app.Id, $"Rollback to v{target.Version}", userId, target.SlugId, config, out var status);
            if (status == ReleaseStatus.Succeeded && target.SlugId is not null)
            {
                var types = c.ExecuteScalar<string>("SELECT process_types FROM slugs WHERE id = @SlugId", new { target.SlugId }, t)!;
                FormationSync.Apply(c, t, app.Id, Slugs.SlugService.ParseProcessTypes(types), settings.DynoSizes.DefaultSize.Name);
            }
            return release;
        });
        return Announced(Find(app, id));
    }

    /// <summary>
    /// Why a slug cannot be released, or null: registered but never uploaded (or its upload refused), or its tarball is not
    /// in the store under its checksum. Such a release would be current and run nothing.
    /// </summary>
    private string? SlugProblem(IDbConnection c, IDbTransaction t, string slugId)
    {
        var blob = c.QuerySingle<(string BlobState, string? Checksum)>(
            "SELECT blob_state, checksum FROM slugs WHERE id = @slugId", new { slugId }, t);
        return Slugs.SlugReadiness.Problem(slugId, blob.BlobState, blob.Checksum, slugStore);
    }

    /// <summary>Writes the new release's lines into the app's log.</summary>
    internal Release Announced(Release release)
    {
        logplex.ReleaseCreated(release.AppId, release.Version, release.Description, release.UserEmail);
        return release;
    }

    /// <summary>
    /// Appends release vN+1 inside the caller's write transaction. The slug defaults to the current release's,
    /// so a config change keeps running the same code.
    /// </summary>
    /// <returns>The new release's id.</returns>
    /// <remarks>The status follows the slug: <c>pending</c> when it declares a <c>release</c> process (the release phase
    /// must pass first, for deploys, config changes and rollbacks alike, as on Heroku), else <c>succeeded</c>.</remarks>
    internal static string Append(IDbConnection c, IDbTransaction t, string appId, string description, string? userId,
        string? slugId, string configJson) => Append(c, t, appId, description, userId, slugId, configJson, out _);

    /// <param name="status">The status the new release got (see the remarks on deciding it).</param>
    internal static string Append(IDbConnection c, IDbTransaction t, string appId, string description, string? userId,
        string? slugId, string configJson, out string status)
    {
        var version = c.ExecuteScalar<long>("SELECT COALESCE(MAX(version), 0) + 1 FROM releases WHERE app_id = @appId", new { appId }, t);
        slugId ??= c.ExecuteScalar<string?>(
            "SELECT slug_id FROM releases WHERE app_id = @appId AND status = 'succeeded' ORDER BY version DESC LIMIT 1", new { appId }, t);
        var types = slugId is null ? null : c.ExecuteScalar<string?>("SELECT process_types FROM slugs WHERE id = @slugId", new { slugId }, t);
        status = types is not null && Slugs.SlugService.ParseProcessTypes(types).ContainsKey("release") ? ReleaseStatus.Pending : ReleaseStatus.Succeeded;
        var id = Guid.NewGuid().ToString();
        var now = Timestamp.Now();
        c.Execute("""
            INSERT INTO releases (id, app_id, version, description, status, user_id, slug_id, config_vars, created_at, updated_at)
            VALUES (@id, @appId, @version, @description, @status, @userId, @slugId, @configJson, @now, @now)
            """, new { id, appId, version, description, status, userId, slugId, configJson, now }, t);
        if (status == ReleaseStatus.Succeeded)
            c.Execute("UPDATE apps SET released_at = @now, updated_at = @now WHERE id = @appId", new { now, appId }, t);
        return id;
    }

    private sealed record ReleaseRow
    {
        public string Id { get; init; } = "";
        public string AppId { get; init; } = "";
        public string AppName { get; init; } = "";
        public long Version { get; init; }
        public string Description { get; init; } = "";
        public string Status { get; init; } = "";
        public string? UserId { get; init; }
        public string? UserEmail { get; init; }
        public string? SlugId { get; init; }
        public string ConfigJson { get; init; } = "{}";
        public string? OutputPath { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public Release ToRelease(long? currentVersion) => new()
        {
            Id = Id, AppId = AppId, AppName = AppName, Version = Version, Description = Description, Status = Status,
            UserId = UserId, UserEmail = UserEmail, SlugId = SlugId, ConfigJson = ConfigJson, OutputPath = OutputPath,
            Current = Version == currentVersion, CreatedAt = CreatedAt, UpdatedAt = UpdatedAt,
        };
    }
}
