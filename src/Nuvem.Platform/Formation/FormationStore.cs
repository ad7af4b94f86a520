using System.Data;
using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Formation;

/// <summary>The <c>formations</c> table's owner: how many dynos of each process type an app wants, and how big.</summary>
public sealed class FormationStore(Database database)
{
    private const string Select = """
        SELECT f.id, f.app_id, a.name AS app_name, f.type, f.command, f.quantity, f.size, f.created_at, f.updated_at
        FROM formations f JOIN apps a ON a.id = f.app_id
        """;

    public IReadOnlyList<ProcessFormation> List(string appId) =>
        database.Read(c => c.Query<ProcessFormation>($"{Select} WHERE f.app_id = @appId ORDER BY f.type", new { appId }).AsList());

    public IReadOnlyList<ProcessFormation> List(IDbConnection c, IDbTransaction t, string appId) =>
        c.Query<ProcessFormation>($"{Select} WHERE f.app_id = @appId ORDER BY f.type", new { appId }, t).AsList();

    /// <summary>By process type or id, or null.</summary>
    public ProcessFormation? Get(string appId, string typeOrId) =>
        database.Read(c => c.QuerySingleOrDefault<ProcessFormation>($"{Select} WHERE f.app_id = @appId AND (f.type = @typeOrId OR f.id = @typeOrId)",
            new { appId, typeOrId }));

    public void Scale(IDbConnection c, IDbTransaction t, string appId, string type, int quantity, string size) =>
        c.Execute("UPDATE formations SET quantity = @quantity, size = @size, updated_at = @now WHERE app_id = @appId AND type = @type",
            new { quantity, size, now = Timestamp.Now(), appId, type }, t);

    /// <summary>
    /// Keeps the formation in step with the process types of the release being made current: new types appear
    /// (web at 1, others at 0, as on Heroku), commands follow the Procfile, and types the Procfile dropped go away.
    /// Quantities and sizes users chose for types that remain are kept.
    /// </summary>
    public void Sync(IDbConnection c, IDbTransaction t, string appId, IReadOnlyDictionary<string, string> processTypes, string defaultSize)
    {
        var now = Timestamp.Now();
        var existing = c.Query<string>("SELECT type FROM formations WHERE app_id = @appId", new { appId }, t).ToHashSet();
        foreach (var (type, command) in processTypes)
        {
            if (existing.Contains(type))
            {
                c.Execute("UPDATE formations SET command = @command, updated_at = @now WHERE app_id = @appId AND type = @type",
                    new { command, now, appId, type }, t);
            }
            else
            {
                c.Execute("""
                    INSERT INTO formations (id, app_id, type, command, quantity, size, created_at, updated_at)
                    VALUES (@id, @appId, @type, @command, @quantity, @defaultSize, @now, @now)
                    """, new { id = Guid.NewGuid().ToString(), appId, type, command, quantity = type == "web" ? 1 : 0, defaultSize, now }, t);
            }
        }
        foreach (var gone in existing.Where(type => !processTypes.ContainsKey(type)))
            c.Execute("DELETE FROM formations WHERE app_id = @appId AND type = @gone", new { appId, gone }, t);
    }
}
