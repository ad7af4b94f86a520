using System.CommandLine;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Buildpacks;

/// <summary><c>nuvem buildpacks</c>: the buildpacks the app's next build uses, in order.</summary>
public sealed class BuildpacksListCommand
{
    private readonly AppSelector app = new();
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("buildpacks", "Show the app's buildpacks (none set: each build detects one)");
        app.AddTo(command);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var api = context.Api();
        if (parse.GetValue(json))
        {
            context.Out.Json(await api.GetListAsync(BuildpackInstallations.Path(appName), cancellation));
            return;
        }
        BuildpackInstallations.Show(context.Out, appName, await BuildpackInstallations.FetchAsync(api, appName, cancellation));
    }
}
