using System.Data;
using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Formation;

/// <summary>
/// Keeps the formation in step with the process types of the release being made current: new types appear
/// (web at 1, others at 0, as on Heroku), commands follow the Procfile, and types the Procfile dropped go away.
/// Quantities and sizes users chose for types that remain are kept.
/// </summary>
internal static class FormationSync
{
    public static void Apply(IDbConnection c, IDbTransaction t, string appId, IReadOnlyDictionary<string, string> processTypes, string defaultSize)
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
