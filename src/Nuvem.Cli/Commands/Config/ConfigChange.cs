using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Config;

/// <summary>
/// The shared half of config:set and config:unset: PATCH the vars, then ask for the newest release, because
/// every config change makes a release and restarts the app, and the user wants to know which version that is.
/// </summary>
public static class ConfigChange
{
    public static async Task<(JsonNode? Vars, string? Version)> ApplyAsync(PlatformClient api, string app, JsonObject changes, CancellationToken cancellation)
    {
        var vars = await api.PatchAsync(ConfigVars.Path(app), changes, cancellation);
        var newest = await NewestRelease(api, app, cancellation);
        return (vars, newest is null ? null : Json.Text(newest, "version"));
    }

    public static async Task<JsonNode?> NewestRelease(PlatformClient api, string app, CancellationToken cancellation)
    {
        var releases = await api.GetListAsync($"/apps/{PlatformClient.Segment(app)}/releases", cancellation,
            range: "version ..; max=1, order=desc", allPages: false);
        return releases.FirstOrDefault();
    }

    public static string Done(string? version) => string.IsNullOrEmpty(version) ? "done" : $"done, v{version}";
}
