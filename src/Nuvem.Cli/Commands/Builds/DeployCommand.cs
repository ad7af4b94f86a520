using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;
using Nuvem.Cli.Sources;

namespace Nuvem.Cli.Commands.Builds;

/// <summary>
/// <c>nuvem deploy [DIR]</c>: builds and releases a directory without git push. Packs DIR into a tarball
/// (<see cref="SourceTarball"/>), uploads it to a <c>POST /sources</c> URL, starts a build from it
/// (<c>POST /apps/{app}/builds</c>), prints the build's output live, and exits 0 only if the build succeeded.
/// </summary>
public sealed class DeployCommand
{
    /// <summary>How long a build may still say "pending" after its output ended (the server finishes the record first, but not atomically).</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(10);

    private readonly AppSelector app = new();
    private readonly Argument<string?> directory = new("DIR") { Description = "Directory to deploy (default: the current one)", Arity = ArgumentArity.ZeroOrOne };

    public Command Build()
    {
        var command = new Command("deploy", "Build and release a directory (no git push needed); in a git work tree, what git would commit");
        command.Aliases.Add("builds:create");
        command.Add(directory);
        app.AddTo(command);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var source = Path.GetFullPath(parse.GetValue(directory) is { Length: > 0 } given ? given : ".");
        if (!Directory.Exists(source)) throw new CliException($"{source} is not a directory.");
        // The app may come from DIR's own nuvem remote, so that `nuvem deploy ../other-app` does what it says.
        var appName = app.Resolve(parse, source);
        var api = context.Api();

        using var tarball = SourceTarball.Create(source);
        var version = SourceTarball.GitCommit(source) ?? $"deploy {DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}";
        context.Out.Line($"Packing {source}... done, {tarball.Files} {(tarball.Files == 1 ? "file" : "files")} ({Formatting.Bytes(tarball.Bytes)})");

        var blob = await api.PostAsync("/sources", null, cancellation);
        var putUrl = Json.Text(blob, "source_blob", "put_url");
        var getUrl = Json.Text(blob, "source_blob", "get_url");
        if (putUrl.Length == 0 || getUrl.Length == 0) throw new CliException($"{api.Host} did not return upload URLs for the source.");
        await context.SignedUrls().PutFileAsync(putUrl, tarball.Path, cancellation);
        context.Out.Line("Uploading source... done");

        var body = new JsonObject { ["source_blob"] = new JsonObject { ["url"] = getUrl, ["version"] = version } };
        var build = await api.PostAsync(BuildLookup.Path(appName), body, cancellation);
        var id = Json.Text(build, "id");
        context.Out.Line($"Building {appName} (build {id}, version {version})...");

        if (Json.Text(build, "output_stream_url") is { Length: > 0 } stream)
        {
            try
            {
                await OutputStreams.ToStandardOutputAsync(context, stream, cancellation);
            }
            catch (CliException e)
            {
                // The build goes on without us; its result still decides the exit code.
                ErrorReporter.Warning(e.Message);
            }
        }

        var status = await FinalStatusAsync(api, appName, id, cancellation);
        if (status == "succeeded") return;
        if (status == "pending")
            throw new CliException($"Build {id} is still running. Follow it with `nuvem builds:output {id} -a {appName}`.");
        throw new CliException("Build failed");
    }

    private static async Task<string> FinalStatusAsync(PlatformClient api, string app, string id, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + SettleTime;
        while (true)
        {
            var status = Json.Text(await BuildLookup.GetAsync(api, app, id, cancellation), "status");
            if (status != "pending" || DateTime.UtcNow >= deadline) return status;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellation);
        }
    }
}
