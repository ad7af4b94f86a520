using System.Diagnostics;
using System.Text;
using Nuvem.Platform.Builds.Runtime;

namespace Nuvem.Platform.Builds;

/// <summary>
/// Runs the host process that carries one build step (an OCI runtime's <c>exec</c> into a build dyno, or the step
/// itself on the host): feeds its stdin, reads its stdout and stderr as the step asks, and stops it at its timeout.
/// The environment is built from scratch: the platform's own variables (tokens among them) never leak into user code.
/// </summary>
public static class BuildProcess
{
    /// <summary>Collected stdout stops growing here (a detect script that prints forever cannot fill the platform's memory).</summary>
    private const int MaxCollected = 1024 * 1024;

    /// <summary>How much of stderr is kept when it is not streamed: enough to say why a step could not run.</summary>
    private const int StderrTail = 4096;

    /// <param name="kill">Ends the step and whatever it started; called when it overruns or the build is cancelled.</param>
    /// <param name="afterExit">Called once the process has exited (the host runtime kills what the step left running).</param>
    public static async Task<BuildStepResult> RunAsync(string file, IReadOnlyList<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, BuildStep step, Func<Process, Task> kill, Func<Process, Task>? afterExit,
        CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Clear();
        foreach (var (key, value) in environment) start.Environment[key] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var collected = new StringBuilder();
        var stderr = new StringBuilder();
        var gate = new SemaphoreSlim(1, 1);

        async Task Lines(StreamReader reader, bool isStdout)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                if (step.OnLine is not null)
                {
                    await gate.WaitAsync(CancellationToken.None);
                    try { await step.OnLine(line); }
                    finally { gate.Release(); }
                    continue;
                }
                var into = isStdout ? collected : stderr;
                lock (into)
                {
                    if (isStdout && into.Length < MaxCollected) into.AppendLine(line);
                    else if (!isStdout)
                    {
                        into.AppendLine(line);
                        if (into.Length > StderrTail * 2) into.Remove(0, into.Length - StderrTail);
                    }
                }
            }
        }

        async Task Feed()
        {
            try
            {
                if (step.Input is not null) await step.Input(process.StandardInput.BaseStream);
            }
            catch (IOException)
            {
                // The step stopped reading: its exit status says why.
            }
            finally
            {
                try { process.StandardInput.Close(); } catch (IOException) { }
            }
        }

        async Task Read()
        {
            try { await step.Output!(process.StandardOutput.BaseStream); }
            catch
            {
                await kill(process);
                throw;
            }
            finally
            {
                // Whatever the reader left unread must not block the step on a full pipe.
                try { await process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None); } catch (IOException) { }
            }
        }

        var stdout = step.Output is not null ? Read() : Lines(process.StandardOutput, true);
        var pumps = Task.WhenAll(stdout, Lines(process.StandardError, false));
        var feed = Feed();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(step.Timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = !cancellation.IsCancellationRequested;
            await kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        if (afterExit is not null) await afterExit(process);
        // A daemon the step left behind may hold its pipes open: it does not hold the build.
        await Task.WhenAny(Task.WhenAll(pumps, feed), Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
        if (step.Output is not null && stdout.IsFaulted) await stdout; // the reader's own failure (a rejected slug) is the step's
        string Text(StringBuilder b) { lock (b) return b.ToString(); }
        return new BuildStepResult(process.ExitCode, Text(collected), Text(stderr).Trim(), timedOut);
    }
}
