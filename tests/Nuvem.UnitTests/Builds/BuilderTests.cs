using System.Collections.Concurrent;
using Nuvem.Platform.Builds;

namespace Nuvem.UnitTests.Builds;

/// <summary>The builder's orchestration: records, turns, output, and what success and failure leave behind.</summary>
public sealed class BuilderTests : IDisposable
{
    private readonly BuilderHarness _platform = new();

    public void Dispose() => _platform.Dispose();

    private static (Func<string, Task> Output, ConcurrentQueue<string> Lines) Pusher()
    {
        var lines = new ConcurrentQueue<string>();
        return (line => { lines.Enqueue(line); return Task.CompletedTask; }, lines);
    }

    [Fact]
    public async Task A_successful_build_is_released_and_recorded_with_its_slug_and_release()
    {
        var app = _platform.App("shop");
        var (output, lines) = Pusher();

        var pending = _platform.Builder.Start(app, _platform.Account.Id, BuilderHarness.Source("cafe1234"), output);
        Assert.Equal(BuildStatus.Pending, pending.Build.Status);
        var result = await pending.Completion;

        Assert.Null(result.Error);
        var release = Assert.IsType<BuiltRelease>(result.Release);
        Assert.Equal(BuildStatus.Succeeded, result.Build.Status);
        Assert.Equal(release.SlugId, result.Build.SlugId);
        Assert.Equal(release.ReleaseId, result.Build.ReleaseId);
        Assert.Equal("nuvem/nodejs", result.Build.Buildpacks);
        var (appId, slug, commit) = Assert.Single(_platform.Releaser.Released);
        Assert.Equal((app.Id, "cafe1234"), (appId, commit));
        Assert.Same(FakeExecutor.Made.Slug, slug);
        Assert.Equal(0, _platform.Releaser.ReleasePhases);
        Assert.Equal(["-----> Building on the Nuvem stack (nuvem-1)", "compiling...", "-----> Launching...", "       Released v2",
            $"       {new Nuvem.Platform.PlatformSettings().WebUrl("shop")} deployed to Nuvem"], lines);
        Assert.Equal(lines, await File.ReadAllLinesAsync(result.Build.OutputPath!));
        Assert.Equal(["Build started by user dev@example.com", "Build succeeded"], _platform.Logplex.Of(app).Where(l => l.StartsWith("Build")));
    }

    [Fact]
    public async Task A_failed_build_is_marked_failed_says_why_and_releases_nothing()
    {
        var app = _platform.App("broken");
        _platform.Executor.Script = async (_, say) =>
        {
            await say("npm ERR! missing script: build");
            return BuildOutcome.Failed("Failed to compile Node.js app (bin/compile of nodejs exited 1).", "nuvem/nodejs");
        };
        var (output, lines) = Pusher();

        var result = await _platform.Builder.Start(app, _platform.Account.Id, BuilderHarness.Source(), output).Completion;

        Assert.Null(result.Release);
        Assert.Equal("Failed to compile Node.js app (bin/compile of nodejs exited 1).", result.Error);
        Assert.Equal(BuildStatus.Failed, result.Build.Status);
        Assert.Equal("nuvem/nodejs", result.Build.Buildpacks);
        Assert.Null(result.Build.SlugId);
        Assert.Empty(_platform.Releaser.Released);
        Assert.Equal([" !     Failed to compile Node.js app (bin/compile of nodejs exited 1).",
            " !     Push rejected: the build failed, the current release is unchanged."], lines.TakeLast(2));
        Assert.DoesNotContain("-----> Launching...", lines);
        Assert.Contains("Build failed", _platform.Logplex.Of(app));
    }

    [Fact]
    public async Task A_failed_release_phase_rejects_the_push_but_the_build_keeps_its_slug_and_release()
    {
        var app = _platform.App("migrates");
        _platform.Releaser.HasReleaseCommand = true;
        _platform.Releaser.ReleasePhaseSucceeds = false;
        var (output, lines) = Pusher();

        var result = await _platform.Builder.Start(app, _platform.Account.Id, BuilderHarness.Source(), output).Completion;

        Assert.Null(result.Release);
        Assert.Equal("Release command failed: v2 is marked failed.", result.Error);
        Assert.Equal(1, _platform.Releaser.ReleasePhases);
        Assert.Equal(BuildStatus.Succeeded, result.Build.Status);
        Assert.NotNull(result.Build.ReleaseId);
        Assert.Equal(["-----> Launching...", "       running migrations", " !     Release command failed: v2 is marked failed.",
            " !     Push rejected: the build failed, the current release is unchanged."], lines.TakeLast(4));
        Assert.DoesNotContain(lines, l => l.Contains("deployed to Nuvem"));
    }

    [Fact]
    public async Task A_successful_release_phase_releases()
    {
        var app = _platform.App("migrated");
        _platform.Releaser.HasReleaseCommand = true;

        var result = await _platform.Builder.Start(app, _platform.Account.Id, BuilderHarness.Source()).Completion;

        Assert.NotNull(result.Release);
        Assert.Equal(1, _platform.Releaser.ReleasePhases);
    }

    [Fact]
    public async Task Builds_of_one_app_run_one_at_a_time_and_the_second_says_it_waits()
    {
        var app = _platform.App("queued");
        var first = new TaskCompletionSource<BuildOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new SemaphoreSlim(0);
        var calls = 0;
        _platform.Executor.Script = async (_, _) =>
        {
            started.Release();
            return Interlocked.Increment(ref calls) == 1 ? await first.Task : FakeExecutor.Made;
        };
        var (output, lines) = Pusher();

        var one = _platform.Builder.Start(app, _platform.Account.Id, BuilderHarness.Source());
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));
        var two = _platform.Builder.Start(app, _platform.Account.Id, BuilderHarness.Source(), output);
        await WaitFor(() => lines.Contains("-----> Waiting for the build in progress on queued to finish"));
        Assert.False(await started.WaitAsync(TimeSpan.FromMilliseconds(200)));

        first.SetResult(FakeExecutor.Made);
        await Task.WhenAll(one.Completion, two.Completion);
        Assert.Equal(1, _platform.Executor.MostAtOnce);
        Assert.Equal(2, _platform.Releaser.Released.Count);
    }

    [Fact]
    public async Task Past_the_platforms_concurrency_builds_of_other_apps_wait_for_a_slot()
    {
        using var platform = new BuilderHarness(concurrency: 1);
        var (a, b) = (platform.App("alpha"), platform.App("beta"));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new SemaphoreSlim(0);
        platform.Executor.Script = async (_, _) =>
        {
            started.Release();
            await release.Task;
            return FakeExecutor.Made;
        };
        var (output, lines) = Pusher();

        var one = platform.Builder.Start(a, platform.Account.Id, BuilderHarness.Source());
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(10)));
        var two = platform.Builder.Start(b, platform.Account.Id, BuilderHarness.Source(), output);
        await WaitFor(() => lines.Contains("-----> Waiting for a build slot (1 builds run at once on this platform)"));

        release.SetResult();
        Assert.All(await Task.WhenAll(one.Completion, two.Completion), r => Assert.NotNull(r.Release));
        Assert.Equal(1, platform.Executor.MostAtOnce);
    }

    [Fact]
    public async Task The_executor_gets_the_apps_buildpacks_config_vars_source_and_limits()
    {
        var app = _platform.App("configured");
        _platform.Buildpacks.Replace(app, ["heroku/python", "https://example.com/extra.git"]);
        _platform.SetConfig(app, new Dictionary<string, string?> { ["SECRET"] = "s3" });
        var source = BuilderHarness.Source("feed");

        var result = await _platform.Builder.Start(app, _platform.Account.Id, source).Completion;

        var request = Assert.Single(_platform.Executor.Requests);
        Assert.Equal((app.Id, result.Build.Id), (request.App.Id, request.BuildId));
        Assert.Same(source, request.Source);
        Assert.Equal(["heroku/python", "https://example.com/extra.git"], request.Buildpacks);
        Assert.Equal("s3", request.ConfigVars["SECRET"]);
        Assert.Equal(TimeSpan.FromMinutes(15), request.Limits.Timeout);
    }

    [Fact]
    public async Task A_pusher_who_hangs_up_does_not_stop_the_build()
    {
        var app = _platform.App("hangup");

        var result = await _platform.Builder.Start(app, _platform.Account.Id, BuilderHarness.Source(),
            _ => throw new IOException("Broken pipe")).Completion;

        Assert.NotNull(result.Release);
        Assert.Contains("-----> Launching...", await File.ReadAllLinesAsync(result.Build.OutputPath!));
    }

    [Fact]
    public async Task An_unexpected_fault_marks_the_build_failed_and_surfaces()
    {
        var app = _platform.App("faulty");
        _platform.Executor.Script = (_, _) => throw new InvalidOperationException("the runtime is gone");

        var pending = _platform.Builder.Start(app, _platform.Account.Id, BuilderHarness.Source());

        await Assert.ThrowsAsync<InvalidOperationException>(() => pending.Completion);
        Assert.Equal(BuildStatus.Failed, _platform.Builds.Get(app, pending.Build.Id).Status);
        Assert.Contains("Build failed", _platform.Logplex.Of(app));
        // The app is not left locked: the next build runs.
        _platform.Executor.Script = (_, _) => Task.FromResult(FakeExecutor.Made);
        Assert.NotNull((await _platform.Builder.Start(app, _platform.Account.Id, BuilderHarness.Source()).Completion).Release);
    }

    [Fact]
    public async Task Output_can_be_followed_live_while_the_build_runs()
    {
        var app = _platform.App("followed");
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _platform.Executor.Script = async (_, say) =>
        {
            await say("step one");
            await go.Task;
            return FakeExecutor.Made;
        };

        var pending = _platform.Builder.Start(app, _platform.Account.Id, BuilderHarness.Source());
        var live = _platform.Logs.Live(pending.Build.Id);
        Assert.NotNull(live);
        var followed = Task.Run(async () =>
        {
            var seen = new List<string>();
            await foreach (var line in live.FollowAsync(CancellationToken.None)) seen.Add(line);
            return seen;
        });
        go.SetResult();
        await pending.Completion;

        Assert.Contains("step one", await followed.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Null(_platform.Logs.Live(pending.Build.Id));
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(10);
        }
    }
}
