using System.CommandLine;

namespace Nuvem.Cli.Commands.Auth;

/// <summary>
/// <c>nuvem auth:token</c>: prints the API token in use, e.g. for scripts or as the password for <c>git push</c>
/// over HTTPS. Local only, like Heroku's (which merely adds an expiry warning).
/// </summary>
public sealed class TokenCommand
{
    public Command Build()
    {
        var command = new Command("auth:token", "Display the API token of the logged-in user");
        return command.WithAction((parse, context, cancellation) =>
        {
            context.Out.Line(context.RequireToken());
            return Task.CompletedTask;
        });
    }
}
