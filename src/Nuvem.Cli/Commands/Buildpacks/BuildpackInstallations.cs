using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Buildpacks;

/// <summary>
/// The shared half of the buildpacks commands. The API only replaces the whole ordered list
/// (<c>PUT /apps/{app}/buildpack-installations</c>), so set/add/remove read the list, edit it here and write it
/// back, as Heroku's CLI does; the messages are Heroku's too.
/// </summary>
public static class BuildpackInstallations
{
    public const string PushHint = "`git push nuvem main` or `nuvem deploy`";

    public static string Path(string app) => $"/apps/{PlatformClient.Segment(app)}/buildpack-installations";

    public static async Task<List<string>> FetchAsync(PlatformClient api, string app, CancellationToken cancellation) =>
        Urls(await api.GetListAsync(Path(app), cancellation));

    public static async Task<List<string>> ReplaceAsync(PlatformClient api, string app, IEnumerable<string> urls, CancellationToken cancellation)
    {
        var updates = new JsonArray(urls.Select(url => (JsonNode)new JsonObject { ["buildpack"] = url }).ToArray());
        var answer = await api.PutAsync(Path(app), new JsonObject { ["updates"] = updates }, cancellation);
        return answer is JsonArray installed ? Urls(installed) : throw new CliException($"Unexpected response from PUT {Path(app)}: expected a JSON array.");
    }

    /// <summary><c>nuvem buildpacks</c>: the list, or a note that the app detects its buildpack.</summary>
    public static void Show(Terminal output, string app, IReadOnlyList<string> urls)
    {
        if (urls.Count == 0)
        {
            output.Line($"{app} has no buildpack set.");
            return;
        }
        if (urls.Count == 1)
        {
            output.Header($"{app} Buildpack URL");
            output.Line(urls[0]);
            return;
        }
        output.Header($"{app} Buildpack URLs");
        for (var i = 0; i < urls.Count; i++) output.Line($"{i + 1}. {urls[i]}");
    }

    /// <summary>"Buildpack set. Next release on APP will use URL." and its plural and empty forms.</summary>
    public static void Changed(Terminal output, string app, IReadOnlyList<string> urls, string verb)
    {
        switch (urls.Count)
        {
            case 0:
                output.Line($"{(verb == "cleared" ? "Buildpacks" : "Buildpack")} {verb}. Next release on {app} will detect buildpacks normally.");
                return;
            case 1:
                output.Line($"Buildpack {verb}. Next release on {app} will use {urls[0]}.");
                output.Line($"Run {PushHint} to create a new release using this buildpack.");
                return;
            default:
                output.Line($"Buildpack {verb}. Next release on {app} will use:");
                for (var i = 0; i < urls.Count; i++) output.Line($"  {i + 1}. {urls[i]}");
                output.Line($"Run {PushHint} to create a new release using these buildpacks.");
                return;
        }
    }

    public static Argument<string> UrlArgument(string description) => new("BUILDPACK") { Description = description };

    public static Option<int?> IndexOption(string description) => new("--index", "-i") { Description = description, HelpName = "INDEX" };

    /// <summary>
    /// What the platform accepts: a built-in name, a git URL, or a directory on the platform host. A relative path
    /// would be resolved on the server against nothing the user knows about, so it is refused here.
    /// </summary>
    public static string CheckUrl(string? value)
    {
        var url = value?.Trim() ?? "";
        if (url.Length == 0) throw new CliException("A buildpack is required: a built-in name (e.g. procfile), a git URL, or a directory on the platform host.");
        if (url.StartsWith("./", StringComparison.Ordinal) || url.StartsWith("../", StringComparison.Ordinal) || url.StartsWith('~') || url == "." || url == "..")
            throw new CliException($"{url} is a relative path. Buildpack directories are read on the platform host: give an absolute path such as /srv/buildpacks/mine.");
        return url;
    }

    /// <returns>The 1-based index, or null when none was given.</returns>
    public static int? CheckIndex(int? index) =>
        index is < 1 ? throw new CliException("Invalid index. Must be greater than 0.") : index;

    public static void RequireAbsent(IReadOnlyList<string> urls, string url, string app)
    {
        if (urls.Contains(url, StringComparer.Ordinal)) throw new CliException($"The buildpack {url} is already set on {app}.");
    }

    private static List<string> Urls(JsonArray installations) =>
        Json.Objects(installations)
            .OrderBy(i => Json.At(i, "ordinal") is JsonValue v && v.TryGetValue<int>(out var ordinal) ? ordinal : int.MaxValue)
            .Select(i => Json.Text(i, "buildpack", "url"))
            .Where(url => url.Length > 0)
            .ToList();
}
