namespace Nuvem.UnitTests.Dynos;

/// <summary>A new release replaces its dynos without downtime: a new web dyno is up before the old one stops.</summary>
public sealed class ReplacementTests
{
    [Fact]
    public async Task A_new_release_starts_the_new_web_dyno_before_stopping_the_old_one()
    {
        await using var h = new SchedulerHarness(prepare: r => r.WebAcceptsAtOnce = false);
        h.Desired.Set("a", 1, ("web", 1, "serve"));
        await h.Until(() => h.Runtime.Of("web.1").Count == 1, "v1 started");
        var old = h.Runtime.Of("web.1")[0];
        old.Accepts = true;
        await h.UntilUp("a", "web.1");

        h.Desired.Set("a", 2, ("web", 1, "serve"));
        await h.Until(() => h.Runtime.Of("web.1").Count == 2, "v2 started");
        var successor = h.Runtime.Of("web.1")[1];
        Assert.Equal(2, successor.Spec.ReleaseVersion);

        // Until the new one accepts connections, the old one serves, alone.
        for (var i = 0; i < 3; i++) await h.PassAsync();
        Assert.Empty(old.Stops);
        Assert.Equal(old.Address, Assert.Single(h.Scheduler.Resolve("a.example")!.Backends).Address);
        var listed = Assert.Single(h.List()); // the successor takes the name's place in the list at once
        Assert.Equal((2L, "starting"), (listed.ReleaseVersion!.Value, listed.State));

        successor.Accepts = true;
        await h.Until(() => old.Exited.IsCompleted, "the old web.1 stopped");
        Assert.Equal(successor.Address, Assert.Single(h.Scheduler.Resolve("a.example")!.Backends).Address);
        Assert.Equal(2L, Assert.Single(h.List()).ReleaseVersion);
        var log = h.Logs.Text("a").ToList();
        Assert.True(log.LastIndexOf("heroku[web.1]: State changed from starting to up") < log.IndexOf("heroku[web.1]: Stopping all processes with SIGTERM"),
            string.Join("\n", log));
    }

    [Fact]
    public async Task Other_process_types_are_replaced_once_the_new_dyno_started()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 1, "work"));
        await h.UntilUp("a", "worker.1");
        var old = h.Runtime.Of("worker.1")[0];

        h.Desired.Set("a", 2, ("worker", 1, "work"));

        await h.Until(() => old.Exited.IsCompleted && h.Runtime.Of("worker.1").Count == 2, "worker.1 replaced");
        await h.UntilUp("a", "worker.1");
        Assert.Equal(2L, Assert.Single(h.List()).ReleaseVersion);
    }

    [Fact]
    public async Task A_changed_command_replaces_the_dyno_too()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 1, "work"));
        await h.UntilUp("a", "worker.1");

        h.Desired.Set("a", 1, ("worker", 1, "work harder"));

        await h.Until(() => h.Runtime.Of("worker.1").Count == 2 && h.Runtime.Of("worker.1")[0].Exited.IsCompleted, "worker.1 replaced");
        Assert.Equal("work harder", h.Runtime.Of("worker.1")[1].Spec.Command);
    }

    [Fact]
    public async Task Scaling_a_type_to_zero_removes_its_dynos()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 1, "serve"), ("worker", 2, "work"));
        await h.UntilUp("a", "web.1", "worker.1", "worker.2");

        h.Desired.Set("a", 1, ("web", 1, "serve"));

        await h.UntilUp("a", "web.1");
        Assert.All(h.Runtime.Of("worker.1").Concat(h.Runtime.Of("worker.2")), p => Assert.True(p.Exited.IsCompleted));
    }
}
