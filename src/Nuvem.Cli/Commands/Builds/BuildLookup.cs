using System.Text.Json.Nodes;
using Nuvem.Cli.Api;

namespace Nuvem.Cli.Commands.Builds;

/// <summary>The app's builds: one by id, or the newest ones first (<c>Range: created_at ..; order=desc</c>, one page).</summary>
public static class BuildLookup
{
    public static string Path(string app) => $"/apps/{PlatformClient.Segment(app)}/builds";

    public static Task<JsonNode?> GetAsync(PlatformClient api, string app, string id, CancellationToken cancellation) =>
        api.GetAsync($"{Path(app)}/{PlatformClient.Segment(id)}", cancellation);

    public static async Task<JsonArray> NewestAsync(PlatformClient api, string app, int count, CancellationToken cancellation)
    {
        var builds = await api.GetListAsync(Path(app), cancellation, range: $"created_at ..; max={count}, order=desc", allPages: false);
        // A server that ignores max must not flood the terminal.
        while (builds.Count > count) builds.RemoveAt(builds.Count - 1);
        return builds;
    }
}
