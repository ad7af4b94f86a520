using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Git;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Apps;

/// <summary>
/// <c>nuvem apps:create [NAME]</c>: <c>POST /apps</c> (the server picks a name when none is given), then, inside a
/// git work tree, points the <c>nuvem</c> remote at the new app and sets up git's credentials for it, so
/// <c>git push nuvem main</c> deploys it.
/// </summary>
public sealed class AppsCreateCommand
{
    private readonly Argument<string?> name = new("NAME") { Description = "Name of the new app (generated when omitted)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string?> region = new("--region") { Description = "Region to create the app in", HelpName = "REGION" };
    private readonly Option<string?> stack = new("--stack", "-s") { Description = "Stack to build the app on", HelpName = "STACK" };
    private readonly Option<string> remote = new("--remote", "-r") { Description = "Name of the git remote to create", HelpName = "REMOTE", DefaultValueFactory = _ => GitRemote.DefaultName };
    private readonly Option<bool> noRemote = new("--no-remote") { Description = "Do not create a git remote" };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("apps:create", "Create a new app");
        command.Aliases.Add("create");
        command.Add(name);
        command.Add(region);
        command.Add(stack);
        command.Add(remote);
        command.Add(noRemote);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var api = context.Api();
        // Absent options are left out of the body, as Heroku's CLI does, so the server applies its defaults.
        var body = new JsonObject();
        if (parse.GetValue(name) is { Length: > 0 } requested) body["name"] = requested;
        if (parse.GetValue(region) is { Length: > 0 } regionName) body["region"] = regionName;
        if (parse.GetValue(stack) is { Length: > 0 } stackName) body["stack"] = stackName;

        var app = await api.PostAsync("/apps", body, cancellation);
        var appName = Json.Text(app, "name");
        var gitUrl = Json.Text(app, "git_url") is { Length: > 0 } url ? url : $"{api.Host.Display}/{appName}.git";
        var asJson = parse.GetValue(json);

        if (asJson)
        {
            context.Out.Json(app);
        }
        else
        {
            context.Out.Line($"Creating {appName}... done");
            context.Out.Line($"{Json.Text(app, "web_url")} | {gitUrl}");
        }

        if (parse.GetValue(noRemote)) return;
        var git = new GitRemote(parse.GetValue(remote) ?? GitRemote.DefaultName);
        if (!git.IsInsideWorkTree()) return;
        try
        {
            git.AddOrUpdate(gitUrl);
            // With --json stdout must stay a single JSON document.
            var message = $"Git remote {git.Name} added";
            if (asJson) Console.Error.WriteLine(message);
            else context.Out.Line(message);
            // So that the first `git push` needs no password, as after git:remote.
            new GitCredentialHelper().Configure(gitUrl, context.Trust().CaFile);
            if (GitCredentialHelper.HostMismatch(api.Host, gitUrl) is { } warning) ErrorReporter.Warning(warning);
        }
        catch (CliException e)
        {
            // The app exists now; failing the command would suggest otherwise.
            ErrorReporter.Warning(e.Message);
        }
    }
}
