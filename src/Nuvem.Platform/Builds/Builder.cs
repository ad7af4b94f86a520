using System.Collections.Concurrent;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds.Buildpacks;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Logplex;

namespace Nuvem.Platform.Builds;

/// <summary>What a build produced: the build record and, when it succeeded, the release it made.</summary>
public sealed record BuildResult(Build Build, BuiltRelease? Release, string? Error);

/// <summary>A build that has been recorded and is running (or waiting for the app's previous build).</summary>
public sealed record PendingBuild(Build Build, Task<BuildResult> Completion);

/// <summary>
/// Source in, release out: records the build, takes turns (builds of one app run one at a time, and at most
/// <see cref="BuildSettings.Concurrency"/> at once), has the <see cref="IBuildExecutor"/> make the slug, then hands it to
/// the <see cref="IBuiltSlugReleaser"/>, keeping the build's output as it goes. Any failure leaves the current release
/// untouched.
/// </summary>
public sealed class Builder(
    PlatformSettings settings,
    BuildSettings limits,
    BuildStore builds,
    BuildpackInstallationStore installations,
    ConfigVarService configVars,
    IBuildExecutor executor,
    IBuiltSlugReleaser releaser,
    OutputLogs outputLogs,
    ILogplex logplex,
    string dataDir)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _appLocks = new();
    private readonly SemaphoreSlim _slots = new(limits.Concurrency, limits.Concurrency);

    /// <summary>
    /// Records a pending build and starts it. The build then runs on its own: a pusher or API caller who goes
    /// away does not stop it half-way.
    /// </summary>
    /// <param name="output">Also receives every output line as it happens (the git pusher); the log keeps them all.</param>
    public PendingBuild Start(App app, string userId, BuildSource source, Func<string, Task>? output = null)
    {
        var build = builds.Start(app, userId, source.Url, source.Version, Path.Combine(dataDir, "builds"));
        var log = outputLogs.Open(build.Id, build.OutputPath!);
        // The app's log gets one line per build step that matters, never the build output itself.
        logplex.Api(app.Id, $"Build started{PlatformEvents.By(build.UserEmail)}");
        releaser.BuildChanged(app, build, created: true);
        var completion = Task.Run(async () =>
        {
            async Task Say(string line)
            {
                await log.WriteLineAsync(line);
                if (output is null) return;
                try { await output(line); }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException) { } // the pusher went away
            }

            var appLock = _appLocks.GetOrAdd(app.Id, _ => new SemaphoreSlim(1, 1));
            try
            {
                if (!await appLock.WaitAsync(0))
                {
                    await Say($"-----> Waiting for the build in progress on {app.Name} to finish");
                    await appLock.WaitAsync();
                }
                var succeeded = false;
                try
                {
                    if (!await _slots.WaitAsync(0))
                    {
                        await Say($"-----> Waiting for a build slot ({limits.Concurrency} builds run at once on this platform)");
                        await _slots.WaitAsync();
                    }
                    try
                    {
                        var result = await BuildLockedAsync(app, userId, build, source, Say);
                        succeeded = result.Build.Status == BuildStatus.Succeeded;
                        return result;
                    }
                    finally
                    {
                        _slots.Release();
                    }
                }
                finally
                {
                    appLock.Release();
                    logplex.Api(app.Id, succeeded ? "Build succeeded" : "Build failed");
                    releaser.BuildChanged(app, builds.Get(app, build.Id), created: false);
                }
            }
            finally
            {
                await outputLogs.CloseAsync(build.Id);
            }
        });
        return new PendingBuild(build, completion);
    }

    private async Task<BuildResult> BuildLockedAsync(App app, string userId, Build build, BuildSource source, Func<string, Task> Say)
    {
        string? buildpackNames = null;
        try
        {
            await Say($"-----> Building on the Nuvem stack ({settings.Stack})");
            var request = new BuildRequest(app, build.Id, source, installations.List(app), configVars.Get(app), limits);
            var outcome = await executor.RunAsync(request, Say, CancellationToken.None);
            buildpackNames = outcome.Buildpacks;
            if (outcome.Slug is not { } built) return await FailedAsync(app, build, outcome.Failure!, buildpackNames, Say);

            await Say("-----> Launching...");
            var made = releaser.Release(app, userId, built, source.Version);
            builds.Finish(build, BuildStatus.Succeeded, buildpackNames, made.SlugId, made.ReleaseId);
            if (made.ReleasePhasePending && !await releaser.RunReleasePhaseAsync(app, made, Say))
            {
                // The build did make its slug and release: only the release is failed, and the push rejected.
                var reason = $"Release command failed: v{made.Version} is marked failed.";
                await SayRejected(reason, Say);
                return new BuildResult(builds.Get(app, build.Id), null, reason);
            }
            await Say($"       Released v{made.Version}");
            await Say($"       {settings.WebUrl(app.Name)} deployed to Nuvem");
            return new BuildResult(builds.Get(app, build.Id), made, null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return await FailedAsync(app, build, $"Build error: {e.Message}", buildpackNames, Say);
        }
        catch
        {
            builds.Finish(build, BuildStatus.Failed, buildpackNames);
            throw;
        }
    }

    private async Task<BuildResult> FailedAsync(App app, Build build, string reason, string? buildpacks, Func<string, Task> say)
    {
        await SayRejected(reason, say);
        builds.Finish(build, BuildStatus.Failed, buildpacks);
        return new BuildResult(builds.Get(app, build.Id), null, reason);
    }

    private static async Task SayRejected(string reason, Func<string, Task> say)
    {
        await say($" !     {reason}");
        await say(" !     Push rejected: the build failed, the current release is unchanged.");
    }
}
