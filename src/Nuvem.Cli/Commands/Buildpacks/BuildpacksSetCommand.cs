using System.CommandLine;

namespace Nuvem.Cli.Commands.Buildpacks;

/// <summary>
/// <c>nuvem buildpacks:set URL [-i INDEX]</c>: puts the buildpack at position INDEX (default 1), replacing the one
/// there, or appends it when INDEX is past the end. Other buildpacks stay where they are.
/// </summary>
public sealed class BuildpacksSetCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string> url = BuildpackInstallations.UrlArgument("Built-in name (procfile), git URL (#ref picks a branch or tag) or directory on the platform host");
    private readonly Option<int?> index = BuildpackInstallations.IndexOption("1-based position to set, replacing the buildpack there (default: 1)");

    public Command Build()
    {
        var command = new Command("buildpacks:set", "Set the app's buildpack (replacing the one at --index)");
        command.Add(url);
        command.Add(index);
        app.AddTo(command);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var buildpack = BuildpackInstallations.CheckUrl(parse.GetValue(url));
        var position = BuildpackInstallations.CheckIndex(parse.GetValue(index)) ?? 1;
        var appName = app.Resolve(parse);
        var api = context.Api();

        var urls = await BuildpackInstallations.FetchAsync(api, appName, cancellation);
        BuildpackInstallations.RequireAbsent(urls, buildpack, appName);
        if (position <= urls.Count) urls[position - 1] = buildpack;
        else urls.Add(buildpack);

        var installed = await BuildpackInstallations.ReplaceAsync(api, appName, urls, cancellation);
        BuildpackInstallations.Changed(context.Out, appName, installed, "set");
    }
}
