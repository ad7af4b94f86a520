using System.CommandLine;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Users;

/// <summary><c>nuvem users</c> (Nuvem-specific, admin only): the platform's accounts, one email per line.</summary>
public sealed class UsersListCommand
{
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("users", "List the platform's users (admin only)");
        command.Add(json);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var users = await context.Api().GetListAsync("/users", cancellation);
            if (parse.GetValue(json))
            {
                context.Out.Json(users);
                return;
            }
            var emails = Json.Objects(users).Select(u => Json.Text(u, "email")).Where(e => e.Length > 0).ToList();
            if (emails.Count == 0) context.Out.Line("No users.");
            foreach (var email in emails) context.Out.Line(email);
        });
    }
}
