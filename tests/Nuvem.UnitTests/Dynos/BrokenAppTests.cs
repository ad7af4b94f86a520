namespace Nuvem.UnitTests.Dynos;

/// <summary>An app whose desired state cannot be read says so once (R99) and keeps its dynos; the others go on.</summary>
public sealed class BrokenAppTests
{
    [Fact]
    public async Task A_broken_app_gets_one_R99_line_and_keeps_its_dynos_while_others_proceed()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 2, "serve"));
        await h.UntilUp("a", "web.1", "web.2");

        h.Desired.Break("a", "Release v2 cannot run: its config vars cannot be read");
        h.Desired.Set("b", 1, ("worker", 1, "work"));
        for (var i = 0; i < 5; i++) await h.PassAsync();
        await h.UntilUp("b", "worker.1");

        Assert.Equal(["heroku[manager]: Error R99 (Platform error) -> Release v2 cannot run: its config vars cannot be read"],
            h.Logs.Text("a").Where(l => l.Contains("R99")));
        Assert.Equal(["web.1", "web.2"], h.Names("a"));
        Assert.All(h.Runtime.Of("web.1").Concat(h.Runtime.Of("web.2")), p => Assert.Empty(p.Stops));
        Assert.Equal(2, h.Scheduler.Resolve("a.example")!.Backends.Count); // still routed, on its last good state
        Assert.Equal(0, h.Logs.Count("b", "R99"));
    }

    [Fact]
    public async Task A_different_problem_or_the_same_one_after_a_recovery_is_reported_again()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 1, "work"));
        await h.UntilUp("a", "worker.1");

        h.Desired.Break("a", "first");
        await h.PassAsync();
        h.Desired.Break("a", "second");
        await h.PassAsync();
        h.Desired.Set("a", 1, ("worker", 1, "work"));
        await h.PassAsync();
        h.Desired.Break("a", "first");
        await h.PassAsync();
        await h.PassAsync();

        Assert.Equal(["first", "second", "first"], h.Logs.Lines("a").Where(l => l.Dyno == "manager").Select(l => l.Message[(l.Message.IndexOf("-> ") + 3)..]));
        Assert.Single(h.Runtime.Started);
    }

    [Fact]
    public async Task A_broken_app_never_seen_good_has_a_route_without_dynos()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Break("a", "its slug is gone");

        await h.PassAsync();

        var route = h.Scheduler.Resolve("a.example")!;
        Assert.Equal(("app-a", false, false), (route.AppName, route.WebDynosWanted, route.Crashed));
        Assert.Empty(h.Runtime.Started);
    }
}
