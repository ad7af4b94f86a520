using System.CommandLine;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Auth;

/// <summary><c>nuvem auth:whoami</c>: the email of the account the token belongs to (<c>GET /account</c>).</summary>
public sealed class WhoamiCommand
{
    public Command Build()
    {
        var command = new Command("auth:whoami", "Display the email of the logged-in user");
        command.Aliases.Add("whoami");
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var account = await context.Api().GetAsync("/account", cancellation);
            context.Out.Line(Json.Text(account, "email"));
        });
    }
}
