using System.Diagnostics;

namespace Nuvem.Platform.Git;

/// <summary>
/// Starts git the way the platform runs it on app repositories: as root, on repositories anyone with a token
/// pushes to. Nothing outside the platform may configure that git, since its configuration names commands it
/// runs (core.hooksPath, core.fsmonitor, uploadpack.packObjectsHook, credential helpers…) and they would run as root:
/// <list type="bullet">
/// <item>no system or global configuration (a planted <c>/tmp/.gitconfig</c>, <c>~/.gitconfig</c> or
/// <c>$XDG_CONFIG_HOME/git/config</c> is never read); only the repository's own, platform-written config;</item>
/// <item>a HOME of the platform's own (root, 0700), also for what the hooks start: curl reads <c>~/.curlrc</c>;</item>
/// <item>hooks only from the repository's own hooks directory, where the platform writes them, whatever any
/// configuration says.</item>
/// </list>
/// The environment is otherwise empty: git and its hooks must not see the platform's secrets either.
/// </summary>
public sealed class PlatformGit
{
    public PlatformGit(string home)
    {
        Home = home;
        var privateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(home, privateMode);
        File.SetUnixFileMode(home, privateMode); // also when an earlier version (or an operator) made it with another mode
    }

    /// <summary>The HOME git and its hooks run with.</summary>
    public string Home { get; }

    /// <summary>git <paramref name="args"/> in <paramref name="repository"/> (a bare repository), its streams redirected.</summary>
    /// <param name="environment">More variables for git and its hooks (the push hook's socket and token).</param>
    public ProcessStartInfo Start(string repository, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = repository,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Command-line configuration wins over every file, and git passes it on to the git its hooks run.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("core.hooksPath=" + Path.Combine(repository, "hooks"));
        foreach (var arg in args) start.ArgumentList.Add(arg);

        start.Environment.Clear(); // no XDG_CONFIG_HOME, GIT_DIR, GIT_EXEC_PATH… from the platform's own environment
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        start.Environment["HOME"] = Home;
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return start;
    }
}
