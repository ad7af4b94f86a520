using System.CommandLine;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Releases;

/// <summary>
/// <c>nuvem releases:output [vN]</c>: the output of a release's release phase (the Procfile's <c>release</c>
/// command), live while it runs. Releases without a release phase have none.
/// </summary>
public sealed class ReleasesOutputCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string?> release = new("RELEASE") { Description = "Release version (v5 or 5) or id; default: the newest", Arity = ArgumentArity.ZeroOrOne };

    public Command Build()
    {
        var command = new Command("releases:output", "Show the output of a release's release command");
        command.Add(release);
        app.AddTo(command);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var info = await ReleaseLookup.GetOrNewestAsync(context.Api(), appName, parse.GetValue(release), cancellation);
        var url = Json.Text(info, "output_stream_url");
        if (url.Length == 0)
        {
            context.Out.Line($"No output for v{Json.Text(info, "version")}.");
            return;
        }
        await OutputStreams.ToStandardOutputAsync(context, url, cancellation);
    }
}
