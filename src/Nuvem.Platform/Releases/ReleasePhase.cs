using Nuvem.Platform.Apps;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Releases;

/// <summary>
/// The release phase: a pending release whose slug declares a <c>release</c> process runs that command with the
/// release's slug and config vars; exit 0 makes the release current (and its dynos start), anything else marks it
/// failed and leaves the current release running. Its output is stored with the release, streamed to whoever
/// waits for it (a git push) and written to the app's log as <c>app[release.N]</c>. It runs for every kind of new
/// release — deploys, config changes, rollbacks — as on Heroku.
/// </summary>
public sealed class ReleasePhase(ReleaseService releases, IReleaseCommandRunner runner, OutputLogs logs, ILogplex logplex, string dataDir)
{
    /// <summary>Runs the phase of a pending release and completes it.</summary>
    /// <returns>The release afterwards: succeeded or failed.</returns>
    public async Task<Release> RunAsync(App app, Release pending, Func<string, Task>? say = null)
    {
        var slug = releases.SlugOf(pending);
        if (slug is null || !slug.Value.Types.TryGetValue("release", out var command))
            return releases.Complete(app, pending, succeeded: true);

        async Task Say(string line)
        {
            if (say is null) return;
            try { await say(line); } catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { }
        }

        await Say($"-----> Running release command for v{pending.Version}: {command}");
        var logPath = Path.Combine(dataDir, "releases", pending.Id + ".log");
        releases.RecordOutput(pending, logPath);
        var log = logs.Open(pending.Id, logPath);
        var dyno = $"release.{pending.Version}";
        int exitCode;
        try
        {
            logplex.Publish(app.Id, "heroku", dyno, $"Starting process with command `{command}`");
            exitCode = await runner.RunAsync(app, pending, new SlugReference(pending.SlugId!, slug.Value.Checksum), command, async line =>
            {
                await log.WriteLineAsync(line);
                logplex.Publish(app.Id, "app", dyno, line);
                await Say("       " + line);
            }, CancellationToken.None);
            await log.WriteLineAsync($"Release command exited {exitCode}.");
            logplex.Publish(app.Id, "heroku", dyno, $"Process exited with status {exitCode}");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await log.WriteLineAsync($"Release command could not run: {e.Message}");
            exitCode = -1;
        }
        finally
        {
            await logs.CloseAsync(pending.Id);
        }
        var completed = releases.Complete(app, pending, succeeded: exitCode == 0);
        if (exitCode != 0) await Say($" !     Release command failed with exit code {exitCode}: v{completed.Version} is marked failed.");
        return completed;
    }

    /// <summary>Starts the phase of a release made by an API call (config change, rollback, deploy) without waiting.</summary>
    /// <returns>The release: completed at once when there is no command to run (a slug registered through the API
    /// without a tarball), else still pending.</returns>
    public Release RunInBackground(App app, Release release)
    {
        if (release.Status != ReleaseStatus.Pending) return release;
        if (releases.SlugOf(release) is not { } slug || !slug.Types.ContainsKey("release")) return releases.Complete(app, release, succeeded: true);
        _ = Task.Run(async () =>
        {
            try { await RunAsync(app, release); }
            catch (Exception e) { Console.Error.WriteLine($"release phase of {app.Name} v{release.Version}: {e}"); releases.Complete(app, release, succeeded: false); }
        });
        return release;
    }
}

/// <summary>
/// Runs a release's <c>release</c> command (migrations and the like) with the release's slug and config vars,
/// before the release may become current. Behind an interface because where it runs follows the dyno runtime
/// (see Dynos' DynoReleaseCommandRunner):
/// a plain process here, a one-off dyno in a container once dynos are containers.
/// </summary>
public interface IReleaseCommandRunner
{
    /// <returns>The command's exit code (non-zero also for a timeout).</returns>
    Task<int> RunAsync(App app, Release release, SlugReference slug, string command, Func<string, Task> output, CancellationToken cancellation);
}
