using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Configuration;
using Nuvem.Cli.Credentials;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Auth;

/// <summary>
/// <c>nuvem login</c>: Heroku's <c>login -i</c> flow. Trades email and password (HTTP Basic) for an OAuth token
/// at <c>POST /oauth/authorizations</c>, stores it in ~/.netrc under the host's <c>host:port</c>, and remembers the
/// host (and CA file) in the config so later commands need no flags.
/// </summary>
public sealed class LoginCommand
{
    private readonly Option<string?> host = new("--host") { Description = $"Nuvem server URL (default: NUVEM_HOST, the saved host, or {NuvemHost.DefaultUrl})", HelpName = "URL" };
    private readonly Option<string?> email = new("--email", "-e") { Description = "Account email (prompted for when omitted)" };
    private readonly Option<string?> password = new("--password", "-p") { Description = "Account password (prompted for, or read from stdin, when omitted)" };
    private readonly Option<string?> caFile = new("--ca-file") { Description = "PEM file of the CA that signed the server's certificate; saved for later commands", HelpName = "FILE" };

    public Command Build()
    {
        var command = new Command("login", "Log in with your Nuvem email and password");
        command.Aliases.Add("auth:login");
        command.Add(host);
        command.Add(email);
        command.Add(password);
        command.Add(caFile);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var config = context.Config;
        var target = NuvemHost.Resolve(parse.GetValue(host), config);
        var caPath = parse.GetValue(caFile) is { Length: > 0 } given ? Path.GetFullPath(given) : null;
        var trust = context.Trust(caPath);

        var user = parse.GetValue(email) ?? context.Prompter.ReadLine("Email: ");
        if (string.IsNullOrWhiteSpace(user)) throw new CliException("An email address is required.");
        var secret = parse.GetValue(password) ?? context.Prompter.ReadSecret("Password: ");
        if (secret.Length == 0) throw new CliException("A password is required.");

        using var client = PlatformClient.WithPassword(target, user.Trim(), secret, trust);
        var body = new JsonObject
        {
            ["description"] = $"Nuvem CLI login from {Environment.MachineName}",
            ["scope"] = new JsonArray("global"),
        };
        JsonNode? authorization;
        try
        {
            authorization = await client.PostAsync("/oauth/authorizations", body, cancellation);
        }
        catch (PlatformApiException e) when (e.Status == HttpStatusCode.Unauthorized)
        {
            throw new CliException(string.IsNullOrEmpty(e.Message) ? "Invalid email or password." : e.Message);
        }

        var token = Json.Text(authorization, "access_token", "token");
        if (token.Length == 0) throw new CliException($"{target} did not return an access token.");
        var account = Json.Text(authorization, "user", "email") is { Length: > 0 } confirmed ? confirmed : user.Trim();

        var netrc = Netrc.Load();
        netrc.Set(target.MachineName, account, token);
        netrc.Save();

        config.Host = target.Display;
        if (caPath is not null) config.CaFile = caPath;
        config.Save();

        context.Out.Line($"Logged in as {account}");
    }
}
