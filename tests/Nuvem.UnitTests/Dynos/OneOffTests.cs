using System.Text.RegularExpressions;
using Nuvem.Platform;
using Nuvem.Platform.Dynos;

namespace Nuvem.UnitTests.Dynos;

/// <summary>One-off dynos: <c>run.NNNN</c>, up while they run, <c>complete</c> after, never restarted.</summary>
public sealed class OneOffTests
{
    private static OneOffRequest Run(string command, bool attach = false, string? size = null, bool tty = false) =>
        new(command, new Dictionary<string, string> { ["COLUMNS"] = "120" }, size, attach, tty);

    [Fact]
    public async Task A_detached_one_off_runs_until_it_exits_and_is_never_restarted()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 3, new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://db" }, false, ("web", 0, "serve"));
        await h.PassAsync();

        var (dyno, attached) = await h.Scheduler.RunOneOffAsync(SchedulerHarness.App("a"), Run("rake db:migrate"));

        Assert.Null(attached);
        Assert.Matches(new Regex(@"^run\.\d{4}$"), dyno.Name);
        Assert.Equal(("run", "up", "rake db:migrate", 3L), (dyno.Type, dyno.State, dyno.Command, dyno.ReleaseVersion!.Value));
        var process = Assert.Single(h.Runtime.Started);
        Assert.Equal("postgres://db", process.Spec.ConfigVars["DATABASE_URL"]);
        Assert.Equal("120", process.Spec.ConfigVars["COLUMNS"]);
        Assert.Equal(dyno.Name, Assert.Single(h.List()).Name);

        process.Exit(0);
        await h.Until(() => h.List().Count == 0, "the one-off gone");
        for (var i = 0; i < 3; i++) await h.PassAsync();
        Assert.Single(h.Runtime.Started);
        var log = h.Logs.Text("a");
        Assert.Contains($"heroku[{dyno.Name}]: Starting process with command `rake db:migrate`", log);
        Assert.Contains($"heroku[{dyno.Name}]: Process exited with status 0", log);
        Assert.Contains($"heroku[{dyno.Name}]: State changed from up to complete", log);
    }

    [Fact]
    public async Task A_crashing_one_off_is_not_restarted_either()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 0, "serve"));
        var (dyno, _) = await h.Scheduler.RunOneOffAsync(SchedulerHarness.App("a"), Run("false"));

        h.Runtime.Started.Single().Exit(1);

        await h.Until(() => h.List().Count == 0, "the one-off gone");
        h.Clock.Advance(TimeSpan.FromMinutes(30));
        await h.PassAsync();
        Assert.Single(h.Runtime.Started);
        Assert.Contains($"heroku[{dyno.Name}]: State changed from up to complete", h.Logs.Text("a"));
    }

    [Fact]
    public async Task An_attached_one_off_hands_its_streams_to_the_caller()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 0, "serve"));

        var (dyno, attached) = await h.Scheduler.RunOneOffAsync(SchedulerHarness.App("a"), Run("bash", attach: true, size: "standard-2x", tty: true));

        Assert.NotNull(attached);
        Assert.Same(h.Runtime.Started.Single(), attached);
        Assert.True(h.Runtime.LastTty);
        Assert.Equal("Standard-2X", dyno.Size, StringComparer.OrdinalIgnoreCase);
        ((FakeDynoProcess)attached).Exit(0);
        await h.Until(() => h.List().Count == 0, "the attached one-off gone");
    }

    [Fact]
    public async Task An_app_without_a_release_or_a_known_size_cannot_run_one()
    {
        await using var h = new SchedulerHarness();
        h.Desired.SetIdle("idle");
        h.Desired.Set("a", 1, ("web", 0, "serve"));
        h.Desired.Break("broken", "its slug is gone");

        var none = await Assert.ThrowsAsync<PlatformException>(() => h.Scheduler.RunOneOffAsync(SchedulerHarness.App("idle"), Run("ls")));
        Assert.Equal("app-idle has no release to run yet: deploy it first (git push).", none.Message);
        var size = await Assert.ThrowsAsync<PlatformException>(() => h.Scheduler.RunOneOffAsync(SchedulerHarness.App("a"), Run("ls", size: "huge")));
        Assert.StartsWith("No such dyno size 'huge'. Available sizes: ", size.Message);
        var broken = await Assert.ThrowsAsync<PlatformException>(() => h.Scheduler.RunOneOffAsync(SchedulerHarness.App("broken"), Run("ls")));
        Assert.Equal("app-broken cannot run dynos now: its slug is gone", broken.Message);
        Assert.Empty(h.Runtime.Started);
    }
}
