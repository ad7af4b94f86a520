using System.CommandLine;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Builds;

/// <summary>
/// <c>nuvem builds:output [BUILD_ID]</c>: a build's output (default: the newest build's), followed live while the
/// build runs and ending when it ends.
/// </summary>
public sealed class BuildsOutputCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string?> build = new("BUILD_ID") { Description = "Build id as `nuvem builds` lists it; default: the newest build", Arity = ArgumentArity.ZeroOrOne };

    public Command Build()
    {
        var command = new Command("builds:output", "Show a build's output, live while it runs");
        command.Add(build);
        app.AddTo(command);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var api = context.Api();
        var id = parse.GetValue(build)?.Trim();
        var info = string.IsNullOrEmpty(id)
            ? (await BuildLookup.NewestAsync(api, appName, 1, cancellation)).FirstOrDefault() ?? throw new CliException($"No builds on {appName}.")
            : await BuildLookup.GetAsync(api, appName, id, cancellation);

        var url = Json.Text(info, "output_stream_url");
        if (url.Length == 0)
        {
            context.Out.Line($"No output for build {Json.Text(info, "id")}.");
            return;
        }
        await OutputStreams.ToStandardOutputAsync(context, url, cancellation);
    }
}
