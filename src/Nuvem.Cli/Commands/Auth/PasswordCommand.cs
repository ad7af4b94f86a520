using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Auth;

/// <summary>
/// <c>nuvem auth:password</c>: change the account's password (<c>PATCH /account</c>). The first admin starts
/// with a generated password, so this is the first thing a new installation's owner does.
/// </summary>
public sealed class PasswordCommand
{
    public Command Build()
    {
        var command = new Command("auth:password", "Change your password");
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var current = context.Prompter.ReadSecret("Current password: ");
            var next = context.Prompter.ReadSecret("New password: ");
            var again = context.Prompter.ReadSecret("New password (again): ");
            if (next != again) throw new CliException("The new passwords do not match.");
            await context.Api().PatchAsync("/account", new JsonObject { ["password"] = current, ["new_password"] = next }, cancellation);
            context.Out.Line("Password changed.");
        });
    }
}
