using System.Data;
using Dapper;
using Nuvem.Platform.Apps;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Releases;

/// <summary>The <c>releases</c> table's owner: every statement about releases is written here, and nowhere else.</summary>
public sealed class ReleaseStore(Database database)
{
    /// <summary>The current-release rule (see <see cref="AppStore.CurrentReleaseVersionOf"/>, where it is written once).
    /// <paramref name="appId"/> is the SQL expression naming the app (<c>@appId</c>, or a column such as <c>a.id</c>).</summary>
    public static string CurrentVersionOf(string appId) => AppStore.CurrentReleaseVersionOf(appId);

    private const string Select = """
        SELECT r.id, r.app_id, a.name AS app_name, r.version, r.description, r.status, r.user_id, u.email AS user_email,
               r.slug_id, r.config_vars AS config_json, r.addon_plan_names AS addon_plan_names_json, r.output_path, r.created_at, r.updated_at
        FROM releases r JOIN apps a ON a.id = r.app_id LEFT JOIN users u ON u.id = r.user_id
        """;

    private static readonly string CurrentVersion = "SELECT " + CurrentVersionOf("@appId");

    public IReadOnlyList<Release> List(string appId) => Query(appId, $"{Select} WHERE r.app_id = @appId ORDER BY r.version", new { appId });

    /// <summary>One page of the history by version, done in SQL: apps accumulate thousands of releases and clients
    /// (the heroku CLI after every config change) ask for just the newest few.</summary>
    public IReadOnlyList<Release> Slice(string appId, long? from, bool fromExclusive, long? to, int limit, bool descending)
    {
        var (after, before) = descending ? ("<", ">") : (">", "<");
        var where = new List<string> { "r.app_id = @appId" };
        if (from is not null) where.Add($"r.version {after}{(fromExclusive ? "" : "=")} @from");
        if (to is not null) where.Add($"r.version {before}= @to");
        return Query(appId, $"{Select} WHERE {string.Join(" AND ", where)} ORDER BY r.version {(descending ? "DESC" : "ASC")} LIMIT @limit",
            new { appId, from, to, limit });
    }

    public Release? ByVersion(string appId, long version) =>
        Query(appId, $"{Select} WHERE r.app_id = @appId AND r.version = @version", new { appId, version }).SingleOrDefault();

    public Release? ById(string appId, string id) =>
        Query(appId, $"{Select} WHERE r.app_id = @appId AND r.id = @id", new { appId, id }).SingleOrDefault();

    public Release? Current(string appId) =>
        Query(appId, $"{Select} WHERE r.app_id = @appId AND r.version = ({CurrentVersion})", new { appId }).SingleOrDefault();

    private IReadOnlyList<Release> Query(string appId, string sql, object parameters) =>
        database.Read(c =>
        {
            var current = c.ExecuteScalar<long?>(CurrentVersion, new { appId });
            return c.Query<ReleaseRow>(sql, parameters).Select(r => r.ToRelease(current)).AsList();
        });

    /// <summary>The slug the app's current release runs, or null (none yet, or a config-only history).</summary>
    public string? CurrentSlugId(IDbConnection c, IDbTransaction t, string appId) =>
        c.ExecuteScalar<string?>($"SELECT slug_id FROM releases WHERE app_id = @appId AND version = {CurrentVersionOf("@appId")}", new { appId }, t);

    /// <summary>The plans of the provisioned add-ons attached to the app, as the release is made (Heroku's
    /// <c>addon_plan_names</c>): a snapshot, so the history shows what each release ran with.</summary>
    private const string AddOnPlanNames = """
        (SELECT json_group_array(p) FROM (SELECT DISTINCT d.service || ':' || d.plan AS p FROM addon_attachments x
           JOIN addons d ON d.id = x.addon_id WHERE x.app_id = @appId AND d.state = 'provisioned' ORDER BY p))
        """;

    /// <summary>Inserts release vN+1 (the next version of the app's, allocated in the caller's write lock).</summary>
    /// <returns>The new release's id.</returns>
    public string Insert(IDbConnection c, IDbTransaction t, string appId, string description, string status, string? userId,
        string? slugId, string configJson, string now)
    {
        var version = c.ExecuteScalar<long>("SELECT COALESCE(MAX(version), 0) + 1 FROM releases WHERE app_id = @appId", new { appId }, t);
        var id = Guid.NewGuid().ToString();
        c.Execute($"""
            INSERT INTO releases (id, app_id, version, description, status, user_id, slug_id, config_vars, addon_plan_names, created_at, updated_at)
            VALUES (@id, @appId, @version, @description, @status, @userId, @slugId, @configJson, {AddOnPlanNames}, @now, @now)
            """, new { id, appId, version, description, status, userId, slugId, configJson, now }, t);
        return id;
    }

    public void SetStatus(IDbConnection c, IDbTransaction t, string releaseId, string status, string now, string? outputPath = null) =>
        c.Execute(outputPath is null
                ? "UPDATE releases SET status = @status, updated_at = @now WHERE id = @releaseId"
                : "UPDATE releases SET status = @status, output_path = @outputPath, updated_at = @now WHERE id = @releaseId",
            new { status, now, outputPath, releaseId }, t);

    public void SetOutputPath(string releaseId, string outputPath) =>
        database.Write((c, t) => c.Execute("UPDATE releases SET output_path = @outputPath WHERE id = @releaseId", new { outputPath, releaseId }, t));

    /// <summary>Every release still pending, over all apps.</summary>
    public IReadOnlyList<Release> Pending(IDbConnection c, IDbTransaction t) =>
        c.Query<ReleaseRow>($"{Select} WHERE r.status = @Pending", new { ReleaseStatus.Pending }, t).Select(r => r.ToRelease(currentVersion: null)).AsList();

    /// <summary>Where the app's release phases wrote their output.</summary>
    public IReadOnlyList<string> OutputPathsOf(string appId) =>
        database.Read(c => c.Query<string>("SELECT output_path FROM releases WHERE app_id = @appId AND output_path IS NOT NULL", new { appId }).AsList());

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
        public string AddonPlanNamesJson { get; init; } = "[]";
        public string? OutputPath { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public Release ToRelease(long? currentVersion) => new()
        {
            Id = Id, AppId = AppId, AppName = AppName, Version = Version, Description = Description, Status = Status,
            UserId = UserId, UserEmail = UserEmail, SlugId = SlugId, ConfigJson = ConfigJson,
            AddonPlanNames = System.Text.Json.JsonSerializer.Deserialize<string[]>(AddonPlanNamesJson) ?? [], OutputPath = OutputPath,
            Current = Version == currentVersion, CreatedAt = CreatedAt, UpdatedAt = UpdatedAt,
        };
    }
}
