using System.CommandLine;

namespace Nuvem.Cli.Commands.Buildpacks;

/// <summary>
/// <c>nuvem buildpacks:add URL [-i INDEX]</c>: inserts a buildpack at position INDEX, moving the ones from there
/// down, or appends it (the last buildpack decides the default process types).
/// </summary>
public sealed class BuildpacksAddCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string> url = BuildpackInstallations.UrlArgument("Built-in name (procfile), git URL (#ref picks a branch or tag) or directory on the platform host");
    private readonly Option<int?> index = BuildpackInstallations.IndexOption("1-based position to insert at (default: after the last)");

    public Command Build()
    {
        var command = new Command("buildpacks:add", "Add a buildpack to the app (appended, or inserted at --index)");
        command.Add(url);
        command.Add(index);
        app.AddTo(command);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var buildpack = BuildpackInstallations.CheckUrl(parse.GetValue(url));
        var position = BuildpackInstallations.CheckIndex(parse.GetValue(index));
        var appName = app.Resolve(parse);
        var api = context.Api();

        var urls = await BuildpackInstallations.FetchAsync(api, appName, cancellation);
        BuildpackInstallations.RequireAbsent(urls, buildpack, appName);
        urls.Insert(Math.Min((position ?? int.MaxValue) - 1, urls.Count), buildpack);

        var installed = await BuildpackInstallations.ReplaceAsync(api, appName, urls, cancellation);
        BuildpackInstallations.Changed(context.Out, appName, installed, "added");
    }
}
