using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Commands.Config;

namespace Nuvem.Cli.Commands.Releases;

/// <summary>Finding the release a command is about: "v12", "12" or a release id, else the newest.</summary>
public static class ReleaseLookup
{
    public static string Path(string app) => $"/apps/{PlatformClient.Segment(app)}/releases";

    public static async Task<JsonNode?> GetOrNewestAsync(PlatformClient api, string app, string? reference, CancellationToken cancellation) =>
        string.IsNullOrWhiteSpace(reference)
            ? await ConfigChange.NewestRelease(api, app, cancellation) ?? throw new CliException($"No releases on {app}.")
            : await api.GetAsync($"{Path(app)}/{PlatformClient.Segment(VersionOrId(reference))}", cancellation);

    /// <summary>"v12" → "12"; anything else (a release id) is passed through.</summary>
    public static string VersionOrId(string value)
    {
        var trimmed = value.Trim();
        return trimmed.Length > 1 && trimmed[0] is 'v' or 'V' && trimmed[1..].All(char.IsAsciiDigit) ? trimmed[1..] : trimmed;
    }
}
