using System.ComponentModel;
using System.Diagnostics;

namespace Nuvem.Cli.Git;

/// <summary>
/// Runs one git command and collects its output. Git is optional for most of the CLI, so a missing git binary
/// is reported as a null result rather than an exception; callers decide whether that matters.
/// </summary>
public static class GitProcess
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public bool Succeeded => ExitCode == 0;
    }

    /// <param name="trim">Trim the output; off for output whose exact bytes matter (NUL-separated lists).</param>
    public static Result? Run(string directory, IEnumerable<string> arguments, bool trim = true)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // Never let git ask for anything; the CLI may be running under a test harness with no terminal.
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        try
        {
            using var process = Process.Start(start);
            if (process is null) return null;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return new Result(process.ExitCode, trim ? output.Result.Trim() : output.Result, error.Result.Trim());
        }
        catch (Win32Exception)
        {
            return null; // git is not installed
        }
    }

    public static Result? Run(string directory, params string[] arguments) => Run(directory, (IEnumerable<string>)arguments);
}
