using System.CommandLine;
using System.Net;
using Nuvem.Cli.Api;
using Nuvem.Cli.Credentials;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Auth;

/// <summary>
/// <c>nuvem logout</c>: revokes the stored token on the server (<c>DELETE /oauth/sessions/~</c>) and forgets it
/// locally. Only the netrc token is revoked, never <c>NUVEM_API_KEY</c>: that one belongs to whoever set the variable.
/// Forgetting locally happens even when the server cannot be reached, since that is what the user asked for.
/// </summary>
public sealed class LogoutCommand
{
    public Command Build()
    {
        var command = new Command("logout", "Log out and revoke the stored API token");
        command.Aliases.Add("auth:logout");
        return command.WithAction(RunAsync);
    }

    private static async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var host = context.Host;
        var netrc = Netrc.Load();
        var token = netrc.Find(host.MachineName)?.Password;

        if (!string.IsNullOrEmpty(token))
        {
            try
            {
                using var client = PlatformClient.WithToken(host, token, context.Trust());
                await client.DeleteAsync("/oauth/sessions/~", cancellation);
            }
            catch (PlatformApiException e) when (e.Status is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound)
            {
                // Already revoked or unknown: the outcome the user wants.
            }
            catch (Exception e) when (e is PlatformApiException or CliException)
            {
                ErrorReporter.Warning($"could not revoke the token on {host}: {e.Message}");
            }
        }

        if (netrc.Remove(host.MachineName)) netrc.Save();
        context.Out.Line("Logging out... done");
    }
}
