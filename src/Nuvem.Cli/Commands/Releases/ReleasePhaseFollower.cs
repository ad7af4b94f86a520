using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Releases;

/// <summary>
/// A new release whose slug has a <c>release</c> process starts out pending while that command runs, and only
/// becomes current if it exits 0. Like Heroku's CLI, commands that make releases show that command's output and
/// report its outcome instead of claiming success before it is known.
/// </summary>
public static class ReleasePhaseFollower
{
    /// <summary>Bounds the waits around the stream: for its URL to be recorded, and for the status once it ended.</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(10);

    /// <returns>The release's final status ("pending" only when it did not settle in time).</returns>
    public static async Task<string> FollowAsync(CommandContext context, PlatformClient api, string app, JsonNode? release, CancellationToken cancellation)
    {
        if (Json.Text(release, "status") != "pending") return Json.Text(release, "status");
        var path = $"{ReleaseLookup.Path(app)}/{PlatformClient.Segment(Json.Text(release, "id"))}";

        context.Out.Line("Running release command...");
        // The server records where the output goes just after it answers, so the URL may not be there yet.
        var current = await SettleAsync(api, path, r => Json.Text(r, "output_stream_url").Length > 0 || Json.Text(r, "status") != "pending", release, cancellation);
        if (Json.Text(current, "output_stream_url") is { Length: > 0 } url)
        {
            try
            {
                await OutputStreams.ToStandardOutputAsync(context, url, cancellation);
            }
            catch (CliException e)
            {
                ErrorReporter.Warning(e.Message);
            }
        }
        current = await SettleAsync(api, path, r => Json.Text(r, "status") != "pending", current, cancellation);
        return Json.Text(current, "status");
    }

    /// <summary>Throws the error a command should end with when its release did not succeed.</summary>
    public static void RequireSucceeded(string status, string app, string version)
    {
        switch (status)
        {
            case "succeeded":
                return;
            case "pending":
                throw new CliException($"The release command of v{version} is still running. Follow it with `nuvem releases:output v{version} -a {app}`.");
            default:
                throw new CliException($"Release command failed: v{version} is marked {status} and {app} keeps running its current release. See `nuvem releases:output v{version} -a {app}`.");
        }
    }

    private static async Task<JsonNode?> SettleAsync(PlatformClient api, string path, Func<JsonNode?, bool> settled, JsonNode? latest, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + SettleTime;
        while (!settled(latest) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellation);
            latest = await api.GetAsync(path, cancellation);
        }
        return latest;
    }
}
