using Dapper;
using Nuvem.Platform.Apps;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Dynos;

/// <summary>A running (or recently stopped) process of an app, as the dyno manager last saw it.</summary>
public sealed record Dyno
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Command { get; init; }
    public required string State { get; init; }
    public required string Size { get; init; }
    public long? ReleaseVersion { get; init; }
    public string? ReleaseId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Reads the observed dynos. The dyno manager (a later issue) is what writes them.</summary>
public sealed class DynoService(Database database)
{
    private const string Select = """
        SELECT d.id, d.app_id, d.name, d.type, d.command, d.state, d.size, d.release_id, r.version AS release_version, d.created_at, d.updated_at
        FROM dynos d LEFT JOIN releases r ON r.id = d.release_id
        """;

    public IReadOnlyList<Dyno> List(App app) =>
        database.Read(c => c.Query<Dyno>($"{Select} WHERE d.app_id = @Id ORDER BY d.type, d.name", new { app.Id }).AsList());

    public Dyno Get(App app, string nameOrId) =>
        database.Read(c => c.QuerySingleOrDefault<Dyno>($"{Select} WHERE d.app_id = @appId AND (d.name = @nameOrId OR d.id = @nameOrId)",
            new { appId = app.Id, nameOrId }))
        ?? throw PlatformException.NotFound("dyno");
}
