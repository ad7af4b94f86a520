namespace Nuvem.Cli;

/// <summary>
/// A failure the user can act on (bad arguments, not logged in, server unreachable). The message is printed
/// as-is after the Heroku-style " ▸    " marker, so it must read as a complete sentence without a stack trace.
/// </summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
