using System.CommandLine;
using Nuvem.Cli.Git;

namespace Nuvem.Cli.Commands;

/// <summary>
/// Heroku's app resolution: <c>-a/--app</c>, else <c>NUVEM_APP</c>, else the app the git remote (<c>-r</c>,
/// default <c>nuvem</c>) of the current directory points at. One instance per command, because a System.CommandLine
/// option belongs to the command it is added to.
/// </summary>
public sealed class AppSelector
{
    public const string Missing = "No app specified. Use -a APP or run inside a git repository with a `nuvem` remote.";

    private readonly Option<string?> app = new("--app", "-a") { Description = "App to run the command against", HelpName = "APP" };
    private readonly Option<string?> remote = new("--remote", "-r") { Description = "Git remote of the app to use (default: nuvem)", HelpName = "REMOTE" };
    private readonly Argument<string?>? positional;

    /// <param name="allowPositional">Also accept the app as the first argument, as Heroku still does for apps:info / apps:destroy.</param>
    public AppSelector(bool allowPositional = false)
    {
        if (allowPositional)
        {
            positional = new Argument<string?>("APP") { Description = "App name (same as -a)", Arity = ArgumentArity.ZeroOrOne };
        }
    }

    public void AddTo(Command command)
    {
        command.Add(app);
        command.Add(remote);
        if (positional is not null) command.Add(positional);
    }

    /// <param name="directory">Where to look for the git remote; default: the current directory.</param>
    public string Resolve(ParseResult parse, string? directory = null)
    {
        var explicitApp = parse.GetValue(app);
        if (!string.IsNullOrWhiteSpace(explicitApp)) return explicitApp.Trim();
        if (positional is not null && parse.GetValue(positional) is { Length: > 0 } fromArgument) return fromArgument;
        var fromEnv = Environment.GetEnvironmentVariable("NUVEM_APP");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv.Trim();
        var remoteName = parse.GetValue(remote);
        var fromGit = new GitRemote(string.IsNullOrWhiteSpace(remoteName) ? GitRemote.DefaultName : remoteName, directory).GetApp();
        return fromGit ?? throw new CliException(Missing);
    }
}
