using Dapper;
using Nuvem.Platform.Apps;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Builds.Buildpacks;

/// <summary>
/// The <c>buildpack_installations</c> table's owner: an app's ordered list of buildpacks (Heroku's buildpack-installations).
/// Empty means "detect".
/// </summary>
public sealed class BuildpackInstallationStore(Database database)
{
    public const int MaxBuildpacks = 8;

    public IReadOnlyList<string> List(App app) =>
        database.Read(c => c.Query<string>("SELECT url FROM buildpack_installations WHERE app_id = @Id ORDER BY ordinal", new { app.Id }).AsList());

    /// <summary>Replaces the whole list, as <c>PUT /apps/{app}/buildpack-installations</c> does.</summary>
    public IReadOnlyList<string> Replace(App app, IReadOnlyList<string> urls)
    {
        if (urls.Count > MaxBuildpacks) throw PlatformException.Invalid($"At most {MaxBuildpacks} buildpacks can be set.");
        foreach (var url in urls)
        {
            if (string.IsNullOrWhiteSpace(url)) throw PlatformException.Invalid("A buildpack must be a name, a directory or a git URL, not empty.");
        }
        var duplicate = urls.GroupBy(u => u.Trim()).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw PlatformException.Invalid($"Buildpack {duplicate.Key} is listed twice.");
        database.Write((c, t) =>
        {
            c.Execute("DELETE FROM buildpack_installations WHERE app_id = @Id", new { app.Id }, t);
            for (var i = 0; i < urls.Count; i++)
                c.Execute("INSERT INTO buildpack_installations (app_id, ordinal, url) VALUES (@Id, @ordinal, @url)", new { app.Id, ordinal = i + 1, url = urls[i].Trim() }, t);
        });
        return List(app);
    }
}
