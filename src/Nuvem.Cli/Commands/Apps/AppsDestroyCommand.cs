using System.CommandLine;
using Nuvem.Cli.Api;
using Nuvem.Cli.Git;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Apps;

/// <summary>
/// <c>nuvem apps:destroy --confirm NAME</c>: permanently deletes the app. The name must be typed twice (once via
/// the app selection, once via --confirm) so a stray NUVEM_APP or git remote cannot destroy the wrong app.
/// </summary>
public sealed class AppsDestroyCommand
{
    private readonly AppSelector app = new(allowPositional: true);
    private readonly Option<string?> confirm = new("--confirm", "-c") { Description = "The app's name again, to confirm", HelpName = "NAME" };

    public Command Build()
    {
        var command = new Command("apps:destroy", "Permanently destroy an app");
        command.Aliases.Add("destroy");
        app.AddTo(command);
        command.Add(confirm);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        if (parse.GetValue(confirm) != appName)
            throw new CliException($"To proceed, type: nuvem apps:destroy -a {appName} --confirm {appName}");

        await context.Api().DeleteAsync($"/apps/{PlatformClient.Segment(appName)}", cancellation);
        context.Out.Line($"Destroying {appName}... done");

        // A remote that points at a destroyed app only produces confusing push errors later.
        var git = new GitRemote();
        if (git.GetApp() == appName)
        {
            try
            {
                git.Remove();
                context.Out.Line($"Git remote {git.Name} removed");
            }
            catch (CliException e)
            {
                ErrorReporter.Warning(e.Message);
            }
        }
    }
}
