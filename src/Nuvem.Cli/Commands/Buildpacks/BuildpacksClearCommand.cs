using System.CommandLine;

namespace Nuvem.Cli.Commands.Buildpacks;

/// <summary><c>nuvem buildpacks:clear</c>: empties the list, so each build detects its buildpack again.</summary>
public sealed class BuildpacksClearCommand
{
    private readonly AppSelector app = new();

    public Command Build()
    {
        var command = new Command("buildpacks:clear", "Clear all of the app's buildpacks (builds detect one again)");
        app.AddTo(command);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var installed = await BuildpackInstallations.ReplaceAsync(context.Api(), appName, [], cancellation);
        BuildpackInstallations.Changed(context.Out, appName, installed, "cleared");
    }
}
