using System.CommandLine;
using System.CommandLine.Help;
using Nuvem.Cli.Commands.AddOns;
using Nuvem.Cli.Commands.Apps;
using Nuvem.Cli.Commands.Auth;
using Nuvem.Cli.Commands.Buildpacks;
using Nuvem.Cli.Commands.Builds;
using Nuvem.Cli.Commands.Config;
using Nuvem.Cli.Commands.Git;
using Nuvem.Cli.Commands.Logs;
using Nuvem.Cli.Commands.Domains;
using Nuvem.Cli.Commands.Scheduler;
using Nuvem.Cli.Commands.Maintenance;
using Nuvem.Cli.Commands.Ps;
using Nuvem.Cli.Commands.Releases;
using Nuvem.Cli.Commands.Run;
using Nuvem.Cli.Commands.Users;

namespace Nuvem.Cli.Commands;

/// <summary>
/// The command tree. Names follow Heroku's <c>topic:verb</c> convention literally (one command called
/// "apps:create", not a subcommand), so that muscle memory and scripts carry over; a bare topic
/// (<c>apps</c>, <c>addons</c>, <c>config</c>, <c>releases</c>, <c>builds</c>, <c>buildpacks</c>, <c>maintenance</c>, <c>users</c>)
/// is its list/show command.
/// </summary>
public static class NuvemRootCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("nuvem: deploy and manage apps on a self-hosted Nuvem platform (Heroku-style commands).");
        Command[] commands =
        [
            new LoginCommand().Build(),
            new LogoutCommand().Build(),
            new WhoamiCommand().Build(),
            new TokenCommand().Build(),
            new PasswordCommand().Build(),
            new AppsListCommand().Build(),
            new AppsCreateCommand().Build(),
            new AppsInfoCommand().Build(),
            new AppsDestroyCommand().Build(),
            new GitRemoteCommand().Build(),
            new GitCredentialsCommand().Build(),
            new ConfigShowCommand().Build(),
            new ConfigGetCommand().Build(),
            new ConfigSetCommand().Build(),
            new ConfigUnsetCommand().Build(),
            new ReleasesListCommand().Build(),
            new ReleasesInfoCommand().Build(),
            new ReleasesOutputCommand().Build(),
            new RollbackCommand().Build(),
            new BuildsListCommand().Build(),
            new BuildsOutputCommand().Build(),
            new DeployCommand().Build(),
            new BuildpacksListCommand().Build(),
            new BuildpacksSetCommand().Build(),
            new BuildpacksAddCommand().Build(),
            new BuildpacksRemoveCommand().Build(),
            new BuildpacksClearCommand().Build(),
            new PsScaleCommand().Build(),
            new PsCommand().Build(),
            new PsRestartCommand(stop: false).Build(),
            new PsRestartCommand(stop: true).Build(),
            new RunCommand().Build(),
            new RunDetachedCommand().Build(),
            new OpenCommand().Build(),
            new LogsCommand().Build(),
            new DomainsListCommand().Build(),
            new DomainsAddCommand().Build(),
            new DomainsInfoCommand().Build(),
            new DomainsRemoveCommand().Build(),
            new AddOnsListCommand().Build(),
            new AddOnsServicesCommand().Build(),
            new AddOnsPlansCommand().Build(),
            new AddOnsCreateCommand().Build(),
            new AddOnsInfoCommand().Build(),
            new AddOnsAttachCommand().Build(),
            new AddOnsDetachCommand().Build(),
            new AddOnsDestroyCommand().Build(),
            new AddOnsUpgradeCommand("upgrade").Build(),
            new AddOnsUpgradeCommand("downgrade").Build(),
            new SchedulerAddCommand().Build(),
            new SchedulerJobsCommand().Build(),
            new SchedulerRemoveCommand().Build(),
            new MaintenanceStatusCommand().Build(),
            new MaintenanceSwitchCommand(enable: true).Build(),
            new MaintenanceSwitchCommand(enable: false).Build(),
            new UsersListCommand().Build(),
            new UsersCreateCommand().Build(),
        ];
        foreach (var command in commands) root.Add(command);
        HiddenCommandHelp.Install(root);

        // Plain `nuvem` lists the commands and succeeds, like `heroku`.
        root.SetAction(parse => new HelpAction().Invoke(parse));
        return root;
    }

    /// <summary>
    /// Response files are off: "@" is an ordinary first character for config values and passwords
    /// (<c>config:set X=@home</c> is safe either way, but <c>users:create @x</c> would not be).
    /// </summary>
    public static ParserConfiguration ParserConfiguration { get; } = new() { ResponseFileTokenReplacer = null };
}
