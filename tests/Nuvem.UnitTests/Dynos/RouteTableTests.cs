namespace Nuvem.UnitTests.Dynos;

/// <summary>The router's view: maintenance, H14 (no web dynos wanted), H10 (crashed), and only up web dynos as backends.</summary>
public sealed class RouteTableTests
{
    [Fact]
    public async Task Backends_are_the_up_web_dynos_only()
    {
        await using var h = new SchedulerHarness(prepare: r => r.WebAcceptsAtOnce = false);
        h.Desired.Set("a", 1, ("web", 2, "serve"), ("worker", 1, "work"));
        await h.Until(() => h.Runtime.Of("web.2").Count == 1, "web dynos started");
        h.Runtime.Of("web.2")[0].Accepts = true;

        await h.Until(() => h.StateOf("web.2") == "up", "web.2 up");

        var route = h.Scheduler.Resolve("a.example")!;
        Assert.Equal(("a", "app-a", true, false), (route.AppId, route.AppName, route.WebDynosWanted, route.Crashed));
        var backend = Assert.Single(route.Backends);
        Assert.Equal(("web.2", h.Runtime.Of("web.2")[0].Address), (backend.Dyno, backend.Address));
    }

    [Fact]
    public async Task Maintenance_shows_in_the_route()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, new Dictionary<string, string>(), maintenance: true, ("web", 1, "serve"));

        await h.UntilUp("a", "web.1");

        Assert.True(h.Scheduler.Resolve("a.example")!.Maintenance);
    }

    [Fact]
    public async Task No_web_dynos_wanted_is_H14()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("worker", 1, "work"));

        await h.UntilUp("a", "worker.1");

        var route = h.Scheduler.Resolve("a.example")!;
        Assert.False(route.WebDynosWanted);
        Assert.Empty(route.Backends);
    }

    [Fact]
    public async Task Web_dynos_wanted_but_all_crashed_is_H10()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 1, "serve"));
        await h.UntilUp("a", "web.1");
        h.Runtime.Of("web.1")[0].Exit(1);
        await h.Until(() => h.Runtime.Of("web.1").Count == 2, "the restart at once");
        await h.Until(() => h.StateOf("web.1") == "up", "web.1 up again");

        h.Runtime.Of("web.1")[1].Exit(1); // a second crash: 2 s before the next try

        await h.Until(() => h.StateOf("web.1") == "crashed", "web.1 crashed");
        var route = h.Scheduler.Resolve("a.example")!;
        Assert.True(route.Crashed);
        Assert.Empty(route.Backends);
    }

    [Fact]
    public async Task Hosts_resolve_case_insensitively_and_unknown_ones_not_at_all()
    {
        await using var h = new SchedulerHarness();
        h.Desired.Set("a", 1, ("web", 1, "serve"));
        await h.UntilUp("a", "web.1");

        Assert.Equal("a", h.Scheduler.Resolve("A.Example")!.AppId);
        Assert.Null(h.Scheduler.Resolve("nobody.example"));
        Assert.Null(h.Scheduler.Resolve("elsewhere.test"));
    }
}
