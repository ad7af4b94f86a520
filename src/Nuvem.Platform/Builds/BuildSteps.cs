using Nuvem.Platform.Builds.Runtime;

namespace Nuvem.Platform.Builds;

/// <summary>Small helpers of the build dyno's steps: reading the built app's files, and what a failed step said.</summary>
internal static class BuildSteps
{
    /// <summary>A small file of the built app, read inside the build dyno; null when it has none.</summary>
    /// <remarks>Read in the dyno: a file that is a link (to /etc/shadow, say) resolves inside it, to nothing of the host's.</remarks>
    public static async Task<string?> ReadAppFileAsync(this IBuildDyno dyno, IReadOnlyDictionary<string, string> environment, string name,
        CancellationToken cancellation)
    {
        const int absent = 3;
        var read = await dyno.RunAsync(new BuildStep(["/bin/sh", "-c", $"[ -f \"$0\" ] || exit {absent}; exec head -c 1048576 -- \"$0\"",
            $"{dyno.Paths.App}/{name}"], environment, TimeSpan.FromMinutes(1)), cancellation);
        return read.ExitCode switch
        {
            0 => read.Stdout,
            absent => null,
            _ => throw new BuildFailedException($"Could not read {name} (exit {read.ExitCode}){Said(read)}."),
        };
    }

    /// <summary>": LAST LINE OF STDERR", or nothing when the step said nothing there.</summary>
    public static string Said(BuildStepResult result) => result.Stderr.Length == 0 ? "" : $": {LastLine(result.Stderr)}";

    public static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no message";

    public static string FirstLine(string text, string fallback) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? fallback;
}
