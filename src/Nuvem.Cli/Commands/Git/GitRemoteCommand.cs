using System.CommandLine;
using Nuvem.Cli.Api;
using Nuvem.Cli.Git;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Git;

/// <summary>
/// <c>nuvem git:remote -a APP [-r NAME]</c>: points a git remote (default <c>nuvem</c>) at the app's git URL and
/// makes <c>nuvem git:credentials</c> the repository's credential helper for it, so a plain
/// <c>git push nuvem main</c> deploys without asking for a password. Run again after moving the CLI.
/// </summary>
public sealed class GitRemoteCommand
{
    private readonly Option<string?> app = new("--app", "-a") { Description = "App whose git URL the remote gets (default: NUVEM_APP, or the app the remote already points at)", HelpName = "APP" };
    private readonly Option<string> remote = new("--remote", "-r") { Description = "Name of the git remote to set", HelpName = "REMOTE", DefaultValueFactory = _ => GitRemote.DefaultName };

    public Command Build()
    {
        var command = new Command("git:remote", "Set a git remote (default: nuvem) to the app's git URL, with push credentials");
        command.Add(app);
        command.Add(remote);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var git = new GitRemote(parse.GetValue(remote) is { Length: > 0 } name ? name : GitRemote.DefaultName);
        // Checked before any request: outside a repository there is nothing to configure.
        if (!git.IsInsideWorkTree())
            throw new CliException("Not inside a git repository. Run `git init` first, or cd into your app's repository.");

        var appName = ResolveApp(parse, git);
        var api = context.Api();
        var info = await api.GetAsync($"/apps/{PlatformClient.Segment(appName)}", cancellation);
        var gitUrl = GitUrl(info, api.Host);

        git.AddOrUpdate(gitUrl);
        new GitCredentialHelper().Configure(gitUrl, context.Trust().CaFile);
        context.Out.Line($"set git remote {git.Name} to {gitUrl}");
        if (GitCredentialHelper.HostMismatch(api.Host, gitUrl) is { } warning) ErrorReporter.Warning(warning);
    }

    private string ResolveApp(ParseResult parse, GitRemote git)
    {
        if (parse.GetValue(app) is { } given && !string.IsNullOrWhiteSpace(given)) return given.Trim();
        var fromEnv = Environment.GetEnvironmentVariable("NUVEM_APP");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv.Trim();
        return git.GetApp() ?? throw new CliException("Specify an app with -a APP.");
    }

    /// <summary>The server's git_url; built from the API host (as Heroku's CLI always does) when it sends none.</summary>
    public static string GitUrl(System.Text.Json.Nodes.JsonNode? app, Configuration.NuvemHost host) =>
        Json.Text(app, "git_url") is { Length: > 0 } url ? url : $"{host.Display}/{Json.Text(app, "name")}.git";
}
