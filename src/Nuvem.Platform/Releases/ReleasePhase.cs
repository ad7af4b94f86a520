using System.Formats.Tar;
using System.IO.Compression;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;

namespace Nuvem.Platform.Releases;

/// <summary>
/// Runs a release's <c>release</c> command (migrations and the like) with the release's slug and config vars,
/// before the release may become current. Behind an interface because where it runs follows the dyno runtime:
/// a plain process here, a one-off dyno in a container once dynos are containers.
/// </summary>
public interface IReleaseCommandRunner
{
    /// <returns>The command's exit code (non-zero also for a timeout).</returns>
    Task<int> RunAsync(App app, Release release, string slugPath, string command, Func<string, Task> output, CancellationToken cancellation);
}

/// <summary>Unpacks the slug into a scratch directory and runs the command there as a process of its own session.</summary>
public sealed class LocalReleaseCommandRunner(string workDirectory, TimeSpan timeout, BuildSandbox sandbox) : IReleaseCommandRunner
{
    public async Task<int> RunAsync(App app, Release release, string slugPath, string command, Func<string, Task> output, CancellationToken cancellation)
    {
        var root = Path.Combine(workDirectory, "release-" + release.Id);
        Jail? jail = null;
        try
        {
            Directory.CreateDirectory(workDirectory, (UnixFileMode)Convert.ToInt32("711", 8));
            Directory.CreateDirectory(root, (UnixFileMode)Convert.ToInt32("711", 8));
            await using (var file = File.OpenRead(slugPath))
            await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
                await TarFile.ExtractToDirectoryAsync(gzip, root, overwriteFiles: true, cancellation);
            var appDir = Path.Combine(root, "app");
            // Like the build, the release command runs as the app's uid within the build limits.
            sandbox.GiveTo(appDir, app.Uid);
            jail = sandbox.Open("release-" + release.Id, app.Uid);

            var environment = new Dictionary<string, string>(release.ConfigVars)
            {
                ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
                ["HOME"] = appDir,
                ["LANG"] = "C.UTF-8",
                ["DYNO"] = "release.1",
            };
            // As in a dyno: .profile.d scripts set the app's environment up before the command runs.
            const string Launcher = "for f in \"$HOME\"/.profile.d/*.sh; do [ -r \"$f\" ] && . \"$f\"; done; eval \"$NUVEM_RELEASE_COMMAND\"";
            environment["NUVEM_RELEASE_COMMAND"] = command;
            var result = await BuildProcess.RunAsync("/bin/sh", ["-c", Launcher], appDir, environment, timeout, output, cancellation, jail);
            if (result.TimedOut) await output($"Release command timed out after {timeout.TotalSeconds:0} seconds.");
            return result.TimedOut ? 124 : result.ExitCode;
        }
        finally
        {
            jail?.Dispose();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
