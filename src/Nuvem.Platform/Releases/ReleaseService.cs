using System.Data;
using Nuvem.Platform.Apps;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Formation;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Releases;

/// <summary>The release history of an app: list, look up, deploy a slug, roll back. Every new release is announced
/// in the app's log (<c>app[api]: Deploy 1a2b3c4 by user …</c>, <c>app[api]: Release v3 created by user …</c>).</summary>
public sealed class ReleaseService(Database database, PlatformSettings settings, ILogplex logplex, SlugBlobStore slugStore)
{
    private readonly ReleaseStore _releases = new(database);
    private readonly AppStore _apps = new(database);
    private readonly SlugStore _slugs = new(database);
    private readonly FormationStore _formation = new(database);

    public IReadOnlyList<Release> List(App app) => _releases.List(app.Id);

    /// <summary>
    /// One page of the history by version, done in SQL: apps accumulate thousands of releases and clients
    /// (the heroku CLI after every config change) ask for just the newest few.
    /// </summary>
    /// <param name="from">First version to include (or to skip, when <paramref name="fromExclusive"/>); null starts at the newest (descending) or v1.</param>
    /// <param name="to">Last version to include; null runs to the end.</param>
    public IReadOnlyList<Release> Slice(App app, long? from, bool fromExclusive, long? to, int limit, bool descending) =>
        _releases.Slice(app.Id, from, fromExclusive, to, limit, descending);

    /// <param name="versionOrId">"3", "v3" or a release id.</param>
    public Release Find(App app, string versionOrId)
    {
        var key = versionOrId.Trim();
        var numeric = key.StartsWith('v') || key.StartsWith('V') ? key[1..] : key;
        var found = long.TryParse(numeric, out var version) ? _releases.ByVersion(app.Id, version) : _releases.ById(app.Id, key);
        return found ?? throw PlatformException.NotFound("release");
    }

    public Release? Current(App app) => _releases.Current(app.Id);

    /// <summary>Releases a slug with the app's current config vars (Heroku's <c>POST /apps/{app}/releases {"slug"}</c>).</summary>
    /// <remarks>When the slug has a release phase the new release is <c>pending</c>, and becomes current only once
    /// <see cref="Complete"/> marks it succeeded (see <see cref="ReleasePhase"/>).</remarks>
    public Release Deploy(App app, string userId, string slugId, string? description)
    {
        var id = database.Write((c, t) =>
        {
            var slug = _slugs.Get(c, t, app.Id, slugId) ?? throw PlatformException.NotFound("slug");
            if (SlugProblem(c, t, slug.Id) is { } problem) throw PlatformException.Invalid($"{problem} Nothing was released.");
            var config = _apps.ConfigVarsJson(c, t, app.Id);
            var text = string.IsNullOrWhiteSpace(description)
                ? $"Deploy {(slug.Commit is { Length: > 0 } sha ? sha[..Math.Min(7, sha.Length)] : slug.Id[..8])}"
                : description.Trim();
            var release = Append(c, t, app.Id, text, userId, slug.Id, config, out var status);
            if (status == ReleaseStatus.Succeeded) _formation.Sync(c, t, app.Id, slug.ProcessTypes, settings.DynoSizes.DefaultSize.Name);
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
            _releases.SetStatus(c, t, release.Id, succeeded ? ReleaseStatus.Succeeded : ReleaseStatus.Failed, now);
            if (!succeeded || release.SlugId is null) return;
            _apps.MarkReleased(c, t, app.Id, now);
            _formation.Sync(c, t, app.Id, _slugs.ProcessTypes(c, t, release.SlugId)!, settings.DynoSizes.DefaultSize.Name);
        });
        var completed = Find(app, release.Id);
        if (!succeeded) logplex.Api(app.Id, $"Release v{completed.Version} command failed{PlatformEvents.By(completed.UserEmail)}");
        return completed;
    }

    /// <summary>The stored slug of a release and its process types, or null when it has none (or only a record without a tarball).</summary>
    public (string Checksum, IReadOnlyDictionary<string, string> Types)? SlugOf(Release release)
    {
        if (release.SlugId is null || _slugs.Contents(release.SlugId) is not { Checksum: { } checksum } contents) return null;
        return (checksum, contents.Types);
    }

    public void RecordOutput(Release release, string outputPath) => _releases.SetOutputPath(release.Id, outputPath);

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
            var pending = _releases.Pending(c, t)
                .Select(r => r with { Status = ReleaseStatus.Failed, OutputPath = r.OutputPath ?? Path.Combine(outputDirectory, r.Id + ".log") })
                .ToList();
            foreach (var release in pending) _releases.SetStatus(c, t, release.Id, release.Status, Timestamp.Now(), release.OutputPath);
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
            _apps.SetConfigVars(c, t, app.Id, config);
            var release = Append(c, t, app.Id, $"Rollback to v{target.Version}", userId, target.SlugId, config, out var status);
            if (status == ReleaseStatus.Succeeded && target.SlugId is not null)
                _formation.Sync(c, t, app.Id, _slugs.ProcessTypes(c, t, target.SlugId)!, settings.DynoSizes.DefaultSize.Name);
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
        var blob = _slugs.Blob(c, t, slugId);
        return SlugReadiness.Problem(slugId, blob.BlobState, blob.Checksum, slugStore);
    }

    /// <summary>Writes the new release's lines into the app's log.</summary>
    public Release Announced(Release release)
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
    public string Append(IDbConnection c, IDbTransaction t, string appId, string description, string? userId,
        string? slugId, string configJson) => Append(c, t, appId, description, userId, slugId, configJson, out _);

    /// <param name="status">The status the new release got (see the remarks on deciding it).</param>
    public string Append(IDbConnection c, IDbTransaction t, string appId, string description, string? userId,
        string? slugId, string configJson, out string status)
    {
        slugId ??= _releases.CurrentSlugId(c, t, appId);
        var types = slugId is null ? null : _slugs.ProcessTypes(c, t, slugId);
        status = types is not null && types.ContainsKey("release") ? ReleaseStatus.Pending : ReleaseStatus.Succeeded;
        var now = Timestamp.Now();
        var id = _releases.Insert(c, t, appId, description, status, userId, slugId, configJson, now);
        if (status == ReleaseStatus.Succeeded) _apps.MarkReleased(c, t, appId, now);
        return id;
    }
}
