using System.Reflection;
using System.Text.RegularExpressions;
using Nuvem.Cli.Configuration;

namespace Nuvem.Cli.Git;

/// <summary>
/// Lets <c>git push nuvem main</c> authenticate without a prompt and without the token in the remote URL: the
/// repository's config names <c>nuvem git:credentials</c> as git's credential helper for the platform's URL, and
/// that command answers with the CLI's current token. Heroku's CLI does the same in the user's global config;
/// we keep it repository-local so installing the CLI never rewrites ~/.gitconfig.
/// </summary>
public sealed partial class GitCredentialHelper(string? workingDirectory = null)
{
    /// <summary>The hidden command git runs, with <c>get</c>, <c>store</c> or <c>erase</c> appended.</summary>
    public const string CommandName = "git:credentials";

    /// <summary>The server ignores the user name; a fixed one keeps git's logs free of email addresses.</summary>
    public const string UserName = "nuvem";

    private readonly string directory = workingDirectory ?? Environment.CurrentDirectory;

    /// <summary>
    /// The helper as git config wants it: <c>!/abs/nuvem git:credentials</c>, or <c>!/usr/bin/dotnet /abs/nuvem.dll
    /// git:credentials</c> when this process is <c>dotnet nuvem.dll</c> (tests, a framework-dependent run), so git
    /// calls this very CLI and not whatever "nuvem" is on its PATH.
    /// </summary>
    public static string HelperCommand()
    {
        var process = Environment.ProcessPath;
        var entryAssembly = Assembly.GetEntryAssembly()?.Location;
        string[] program = process is null
            ? ["nuvem"]
            : Path.GetFileNameWithoutExtension(process) == "dotnet" && !string.IsNullOrEmpty(entryAssembly)
                ? [process, entryAssembly]
                : [process];
        return "!" + string.Join(' ', program.Select(ShellQuote)) + " " + CommandName;
    }

    /// <summary><c>https://localhost:5443/app.git</c> → <c>https://localhost:5443</c>, the URL git matches the helper by.</summary>
    public static string UrlPrefix(string gitUrl)
    {
        if (!Uri.TryCreate(gitUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            throw new CliException($"Cannot set up git credentials for {gitUrl}: only http(s) remotes are supported.");
        return uri.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>
    /// The helper only vouches for the CLI's own host (it cannot know others' tokens), so a git URL on another
    /// name, e.g. a server whose NUVEM_API_HOST differs from what this CLI uses, still needs a password.
    /// </summary>
    public static string? HostMismatch(NuvemHost host, string gitUrl)
    {
        if (!Uri.TryCreate(gitUrl, UriKind.Absolute, out var uri)) return null;
        var same = uri.Scheme == host.BaseUri.Scheme && uri.Port == host.BaseUri.Port &&
                   string.Equals(uri.Host, host.BaseUri.Host, StringComparison.OrdinalIgnoreCase);
        return same
            ? null
            : $"The app's git URL {gitUrl} is not on {host}, so git will ask for credentials: any user name, and `nuvem auth:token` as the password.";
    }

    /// <summary>
    /// Sets the repository's helper list for the URL to exactly [reset, nuvem]. The empty first value drops
    /// helpers configured elsewhere (store, a keychain) for this URL only: they would otherwise be asked first and
    /// afterwards keep a copy of the token, which goes stale at the next login.
    /// </summary>
    /// <param name="caFile">The CA the CLI trusts the platform by (its local CA); git is told to trust it for this URL
    /// too, so a plain <c>git push</c> works without GIT_SSL_CAINFO. Null when the system's trust store suffices.</param>
    public void Configure(string gitUrl, string? caFile = null)
    {
        var key = $"credential.{UrlPrefix(gitUrl)}.helper";
        Set("--replace-all", key, "");
        Set("--add", key, HelperCommand());
        if (caFile is not null) Set("--replace-all", $"http.{UrlPrefix(gitUrl)}/.sslCAInfo", Path.GetFullPath(caFile));
    }

    private void Set(string mode, string key, string value)
    {
        var result = GitProcess.Run(directory, "config", "--local", mode, key, value);
        if (result is not { Succeeded: true })
            throw new CliException($"Could not configure git credentials ({key}): {result?.Error ?? "git is not installed"}");
    }

    /// <summary>Git runs the helper through the shell, so paths with spaces or quotes must be quoted.</summary>
    private static string ShellQuote(string word) =>
        SafeShellWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''") + "'";

    [GeneratedRegex("^[A-Za-z0-9_./:@%+=,-]+$")]
    private static partial Regex SafeShellWord();
}
