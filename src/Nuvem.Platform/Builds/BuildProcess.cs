using System.Diagnostics;
using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Builds;

/// <summary>
/// Runs one step of a build (a buildpack's detect, compile or release) in a session of its own, so that a
/// timeout or a cancelled build kills the step and everything it started, not just the first process.
/// The environment is built from scratch: the platform's own variables (tokens among them) never leak into
/// user code.
/// </summary>
public static class BuildProcess
{
    public sealed record Result(int ExitCode, string Stdout, bool TimedOut);

    /// <param name="onLine">Receives stdout and stderr lines as they come, when streaming; null collects stdout.</param>
    public static async Task<Result> RunAsync(string file, IReadOnlyList<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout, Func<string, Task>? onLine, CancellationToken cancellation,
        Jail? jail = null)
    {
        (file, args) = jail?.Wrap(file, args) ?? (file, args);
        // setsid makes the step a session and process-group leader (its pid is the group id).
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(file);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Clear();
        foreach (var (key, value) in environment) start.Environment[key] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        var collected = new System.Text.StringBuilder();
        var gate = new SemaphoreSlim(1, 1);

        async Task Pump(StreamReader reader, bool isStdout)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (onLine is null)
                {
                    if (isStdout) lock (collected) collected.AppendLine(line);
                    continue;
                }
                await gate.WaitAsync(CancellationToken.None);
                try { await onLine(line); }
                finally { gate.Release(); }
            }
        }

        var pumps = Task.WhenAll(Pump(process.StandardOutput, true), Pump(process.StandardError, false));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellation.IsCancellationRequested;
            KillGroup(process.Id);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        // Children that outlive the step (daemonised by a careless buildpack) must not hold the build open.
        KillGroup(process.Id);
        await Task.WhenAny(pumps, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        return new Result(process.ExitCode, collected.ToString(), timedOut);
    }

    // A group that is already gone is fine.
    private static void KillGroup(int processGroup) => ProcessGroup.Signal(processGroup, ProcessGroup.SigKill);
}
