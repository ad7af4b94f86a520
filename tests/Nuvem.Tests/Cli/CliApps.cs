using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Cli;

/// <summary>Source trees for CLI tests, set up so that git and the nuvem CLI work on them together.</summary>
public static class CliApps
{
    /// <summary>
    /// The smallest app the platform builds: a Procfile and an executable script. The CLI runs inside the
    /// repository, and git sees the CLI's HOME (its netrc and config), as when one user runs both; the
    /// credential helper git starts is then that same CLI with the same login.
    /// </summary>
    public static GitWorkspace ProcfileApp(NuvemServer server, NuvemCli cli)
    {
        var source = new GitWorkspace(server)
            .Write("Procfile", "web: ./run.sh\n")
            .Write("run.sh", "#!/bin/sh\necho running\n", executable: true);
        SharedBy(source, cli);
        return source;
    }

    public static void SharedBy(GitWorkspace source, NuvemCli cli)
    {
        cli.WorkingDirectory = source.Directory;
        source.Environment["HOME"] = cli.Home;
        foreach (var name in new[] { "NUVEM_API_KEY", "NUVEM_APP", "NUVEM_HOST", "NUVEM_CA_FILE", "NUVEM_DATA_DIR", "XDG_CONFIG_HOME" })
            source.Environment[name] = null;
    }
}
