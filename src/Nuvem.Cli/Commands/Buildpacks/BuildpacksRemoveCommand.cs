using System.CommandLine;

namespace Nuvem.Cli.Commands.Buildpacks;

/// <summary><c>nuvem buildpacks:remove URL</c> or <c>nuvem buildpacks:remove -i INDEX</c>: takes one buildpack out of the list.</summary>
public sealed class BuildpacksRemoveCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string?> url = new("BUILDPACK") { Description = "The buildpack to remove, as `nuvem buildpacks` lists it", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<int?> index = BuildpackInstallations.IndexOption("1-based position of the buildpack to remove");

    public Command Build()
    {
        var command = new Command("buildpacks:remove", "Remove a buildpack from the app, by URL or by --index");
        command.Add(url);
        command.Add(index);
        app.AddTo(command);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var buildpack = parse.GetValue(url)?.Trim();
        var position = BuildpackInstallations.CheckIndex(parse.GetValue(index));
        if (!string.IsNullOrEmpty(buildpack) && position is not null)
            throw new CliException("Please choose either an index or a buildpack, not both.");
        if (string.IsNullOrEmpty(buildpack) && position is null)
            throw new CliException("Usage: nuvem buildpacks:remove BUILDPACK or nuvem buildpacks:remove -i INDEX\nMust specify a buildpack to remove, either by index or URL.");

        var appName = app.Resolve(parse);
        var api = context.Api();
        var urls = await BuildpackInstallations.FetchAsync(api, appName, cancellation);
        if (urls.Count == 0)
            throw new CliException($"No buildpacks were found. Next release on {appName} will detect buildpacks normally.");

        if (position is { } i)
        {
            if (i > urls.Count)
                throw new CliException(urls.Count == 1 ? "Invalid index. Only valid value is 1." : $"Invalid index. Please choose a value between 1 and {urls.Count}.");
            urls.RemoveAt(i - 1);
        }
        else if (!urls.Remove(buildpack!))
        {
            throw new CliException($"Buildpack {buildpack} not found on {appName}. Nothing was removed.");
        }

        var installed = await BuildpackInstallations.ReplaceAsync(api, appName, urls, cancellation);
        BuildpackInstallations.Changed(context.Out, appName, installed, "removed");
    }
}
