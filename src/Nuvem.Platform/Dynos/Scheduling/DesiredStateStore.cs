using Dapper;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// The desired state as the platform's database says: every app with its current release (as
/// <see cref="ReleaseStore.CurrentVersionOf"/> defines it), that release's slug and config vars, and the app's formation.
/// </summary>
public sealed class DesiredStateStore(Database database, PlatformSettings settings, SlugBlobStore slugs) : IDesiredStateSource
{
    public DesiredState Read()
    {
        using var c = database.Open();
        var apps = c.Query<AppRow>($"""
            SELECT a.id, a.name, COALESCE(a.uid, 0) AS uid, a.maintenance, r.id AS release_id, r.version, r.slug_id, s.checksum, s.blob_state,
                   r.config_vars AS config
            FROM apps a
            LEFT JOIN releases r ON r.app_id = a.id AND r.version = {ReleaseStore.CurrentVersionOf("a.id")}
            LEFT JOIN slugs s ON s.id = r.slug_id
            """).ToList();
        var formations = c.Query<FormationRow>(
            "SELECT app_id, type, quantity, command, size FROM formations WHERE quantity > 0").ToLookup(f => f.AppId);
        var desired = new List<DesiredApp>();
        var broken = new List<BrokenApp>();
        foreach (var app in apps)
        {
            try { desired.Add(Desire(app, formations[app.Id])); }
            catch (Exception e) { broken.Add(new BrokenApp(app.Id, app.Name, (int)app.Uid, app.Maintenance, e.Message)); }
        }
        return new DesiredState(desired, broken);
    }

    /// <exception cref="InvalidDataException">The current release cannot run: its slug or config vars are not usable.</exception>
    private DesiredApp Desire(AppRow app, IEnumerable<FormationRow> formations)
    {
        SlugReference? slug = null;
        if (app.SlugId is not null)
        {
            if (SlugReadiness.Problem(app.SlugId, app.BlobState, app.Checksum, slugs) is { } problem)
                throw new InvalidDataException($"Release v{app.Version} cannot run: {problem}");
            slug = new SlugReference(app.SlugId, app.Checksum!);
        }
        IReadOnlyDictionary<string, string> config;
        try { config = app.Config is null ? new Dictionary<string, string>() : ConfigVarsJson.Deserialize(app.Config); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"Release v{app.Version} cannot run: its config vars cannot be read ({e.Message})"); }
        var processes = slug is null
            ? []
            : formations.Select(f => new DesiredProcess(f.Type, (int)f.Quantity, f.Command, settings.DynoSizes.Find(f.Size) ?? settings.DynoSizes.DefaultSize)).ToList();
        return new DesiredApp(app.Id, app.Name, (int)app.Uid, app.Maintenance, app.ReleaseId, app.Version ?? 0, slug, config, processes);
    }

    private sealed record AppRow
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public long Uid { get; init; }
        public bool Maintenance { get; init; }
        public string? ReleaseId { get; init; }
        public long? Version { get; init; }
        public string? SlugId { get; init; }
        public string? Checksum { get; init; }
        public string? BlobState { get; init; }
        public string? Config { get; init; }
    }

    private sealed record FormationRow
    {
        public string AppId { get; init; } = "";
        public string Type { get; init; } = "";
        public long Quantity { get; init; }
        public string Command { get; init; } = "";
        public string Size { get; init; } = "";
    }
}
