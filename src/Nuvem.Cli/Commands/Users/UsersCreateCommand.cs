using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Users;

/// <summary>
/// <c>nuvem users:create EMAIL</c> (Nuvem-specific, admin only): adds an account. Without --password the password
/// is prompted for (no echo) or read as the first line of stdin, so it need not appear in shell history.
/// </summary>
public sealed class UsersCreateCommand
{
    private readonly Argument<string> email = new("EMAIL") { Description = "Email address of the new user" };
    private readonly Option<string?> password = new("--password", "-p") { Description = "Password of the new user (prompted for, or read from stdin, when omitted)" };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("users:create", "Create a user (admin only)");
        command.Add(email);
        command.Add(password);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var address = parse.GetValue(email)!.Trim();
        // Resolve the token first: asking for a password and then failing with "not logged in" would be rude.
        var api = context.Api();
        var secret = parse.GetValue(password) ?? context.Prompter.ReadSecret($"Password for {address}: ");
        if (secret.Length == 0) throw new CliException("A password is required.");

        var user = await api.PostAsync("/users", new JsonObject { ["email"] = address, ["password"] = secret }, cancellation);
        if (parse.GetValue(json))
        {
            context.Out.Json(user);
            return;
        }
        context.Out.Line($"Created user {(Json.Text(user, "email") is { Length: > 0 } created ? created : address)}");
    }
}
