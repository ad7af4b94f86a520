using System.CommandLine;
using Nuvem.Cli.Configuration;
using Nuvem.Cli.Git;

namespace Nuvem.Cli.Commands.Git;

/// <summary>
/// <c>nuvem git:credentials get</c>: git's credential-helper protocol (hidden; git runs it, see
/// <see cref="GitCredentialHelper"/>). Reads <c>key=value</c> lines from stdin up to a blank line and, when the
/// protocol and host are the platform's, answers <c>username=nuvem</c> and <c>password=TOKEN</c>. For any other
/// host it prints nothing, so git moves on to its next helper; <c>store</c> and <c>erase</c> are ignored because
/// the token lives in ~/.netrc (or NUVEM_API_KEY), not in git.
/// </summary>
public sealed class GitCredentialsCommand
{
    private readonly Argument<string> operation = new("OPERATION") { Description = "get, store or erase (sent by git)" };

    public Command Build()
    {
        var command = new Command(GitCredentialHelper.CommandName, "Answer git's credential requests for the platform with the current API token")
        {
            Hidden = true,
        };
        command.Add(operation);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var request = await ReadRequestAsync(cancellation);
        if (parse.GetValue(operation) != "get") return;
        if (!IsPlatform(context.Host, request)) return;

        // The message reaches the user through git's output, which is where they are looking.
        var token = context.FindToken() ?? throw new CliException($"Not logged in to {context.Host}. Run `nuvem login`.");
        // Exactly the protocol's lines: git parses stdout, so nothing else may be printed there.
        Console.Out.Write($"username={GitCredentialHelper.UserName}\npassword={token}\n");
    }

    /// <summary>git writes attributes one per line and ends with a blank line or EOF.</summary>
    private static async Task<Dictionary<string, string>> ReadRequestAsync(CancellationToken cancellation)
    {
        var request = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await Console.In.ReadLineAsync(cancellation) is { } line && line.Length > 0)
        {
            var equals = line.IndexOf('=');
            if (equals > 0) request.TryAdd(line[..equals], line[(equals + 1)..]);
        }
        return request;
    }

    /// <summary>git sends <c>host=name:port</c>, and the bare name when the port is the scheme's default.</summary>
    private static bool IsPlatform(NuvemHost host, Dictionary<string, string> request)
    {
        if (!request.TryGetValue("protocol", out var protocol) || !request.TryGetValue("host", out var requestedHost)) return false;
        if (!string.Equals(protocol, host.BaseUri.Scheme, StringComparison.OrdinalIgnoreCase)) return false;
        return string.Equals(requestedHost, host.MachineName, StringComparison.OrdinalIgnoreCase) ||
               (host.BaseUri.IsDefaultPort && string.Equals(requestedHost, host.BaseUri.Host, StringComparison.OrdinalIgnoreCase));
    }
}
