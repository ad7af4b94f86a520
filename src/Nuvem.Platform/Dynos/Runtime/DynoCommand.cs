namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>How every runtime turns a Procfile command into the dyno's process.</summary>
public static class DynoCommand
{
    /// <summary>Environment variable holding the Procfile command for <see cref="Launcher"/>.</summary>
    public const string Variable = "NUVEM_DYNO_COMMAND";

    /// <summary>
    /// A <c>/bin/sh -c</c> script: the app's <c>.profile.d</c> scripts set its environment up first, as on Heroku; then
    /// the command runs as <c>sh -c</c> would run it. The command travels in <see cref="Variable"/> so that no quoting
    /// of it is ever needed.
    /// </summary>
    public const string Launcher =
        "cd \"$HOME\"; for f in \"$HOME\"/.profile.d/*.sh; do [ -r \"$f\" ] && . \"$f\"; done; unset f; eval \"$NUVEM_DYNO_COMMAND\"";

    /// <summary>
    /// The dyno's argv: the launcher under <c>sh</c>; attached, with stderr joined to stdout so the caller sees both in
    /// order; with a TTY, under script(1), which makes the terminal.
    /// </summary>
    public static IReadOnlyList<string> Argv(bool attached, bool tty) =>
        !attached ? ["/bin/sh", "-c", Launcher]
        : tty ? ["/usr/bin/script", "--quiet", "--flush", "--return", "--command", "/bin/sh -c '" + Launcher.Replace("'", "'\\''") + "'", "/dev/null"]
        : ["/bin/sh", "-c", "exec 2>&1; " + Launcher];
}
