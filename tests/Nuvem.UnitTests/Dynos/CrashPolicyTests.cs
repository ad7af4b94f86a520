using Nuvem.Platform.Dynos;

namespace Nuvem.UnitTests.Dynos;

/// <summary>A crashed dyno restarts at once, then after 2, 4, 8… seconds (capped), and starts over once healthy.</summary>
public sealed class CrashPolicyTests
{
    [Fact]
    public async Task A_first_crash_restarts_at_once()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 1, "work"));
        await h.UntilUp("a", "worker.1");

        h.Runtime.Of("worker.1")[0].Exit(1);

        await h.Until(() => h.Runtime.Of("worker.1").Count == 2 && h.StateOf("worker.1") == "up", "worker.1 restarted");
        var log = h.Logs.Text("a");
        Assert.Contains("heroku[worker.1]: Process exited with status 1", log);
        Assert.Contains("heroku[worker.1]: State changed from up to crashed", log);
        Assert.Contains("heroku[worker.1]: State changed from crashed to starting", log);
    }

    [Fact]
    public async Task Repeated_crashes_wait_2_then_4_then_8_seconds()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 1, "work"));
        await h.UntilUp("a", "worker.1");
        h.Runtime.Of("worker.1")[0].Exit(1);
        await h.Until(() => h.Runtime.Of("worker.1").Count == 2, "the restart at once");

        foreach (var (attempt, wait) in new[] { (2, 2), (3, 4), (4, 8) })
        {
            await h.Until(() => h.StateOf("worker.1") == "up", "worker.1 up");
            h.Runtime.Of("worker.1")[attempt - 1].Exit(1);
            await h.Until(() => h.StateOf("worker.1") == "crashed", "worker.1 crashed");

            h.Clock.Advance(TimeSpan.FromSeconds(wait) - TimeSpan.FromMilliseconds(1));
            await h.PassAsync();
            await h.PassAsync();
            Assert.Equal(attempt, h.Runtime.Of("worker.1").Count); // not yet

            h.Clock.Advance(TimeSpan.FromMilliseconds(1));
            await h.Until(() => h.Runtime.Of("worker.1").Count == attempt + 1, $"restart {attempt + 1} after {wait} s");
        }
    }

    [Fact]
    public async Task A_dyno_up_longer_than_healthy_after_restarts_at_once_again()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 1, "work"));
        await h.UntilUp("a", "worker.1");
        h.Runtime.Of("worker.1")[0].Exit(1);
        await h.Until(() => h.Runtime.Of("worker.1").Count == 2 && h.StateOf("worker.1") == "up", "the first restart");

        h.Clock.Advance(h.Timings.HealthyAfter + TimeSpan.FromSeconds(1));
        await h.PassAsync();
        h.Runtime.Of("worker.1")[1].Exit(1);

        // A second crash in a row would wait 2 s; after a healthy spell it is a first crash again.
        await h.Until(() => h.Runtime.Of("worker.1").Count == 3, "a restart at once");
    }

    [Fact]
    public void Cool_offs_double_up_to_the_cap()
    {
        var policy = Policy(new DynoSettings { MaxRestartDelay = TimeSpan.FromSeconds(20) });

        Assert.Equal([0, 0, 2, 4, 8, 16, 20, 20], Enumerable.Range(0, 8).Select(n => policy.DelayAfter(n).TotalSeconds));
    }

    [Fact]
    public void The_default_cap_is_twenty_minutes()
    {
        var policy = Policy(new DynoSettings());

        Assert.Equal(TimeSpan.FromMinutes(20), policy.DelayAfter(40));
        Assert.Equal(TimeSpan.FromSeconds(512), policy.DelayAfter(10));
    }

    private static Nuvem.Platform.Dynos.Scheduling.CrashPolicy Policy(DynoSettings settings)
    {
        var clock = TimeProvider.System;
        var table = new Nuvem.Platform.Dynos.Scheduling.DynoTable(new RecordingLogplex(), clock);
        return new(settings, clock, table, new Nuvem.Platform.Dynos.Scheduling.SchedulerInbox());
    }
}
