using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Slugs;

namespace Nuvem.UnitTests.Dynos;

/// <summary>Dynos a previous platform process left running are taken over, not duplicated.</summary>
public sealed class AdoptionTests
{
    private static DynoSpec Spec(string name, string type, long version = 1) => new(Guid.NewGuid().ToString(), "a", "app-a", 10_000, name, type,
        type == "run" ? "bash" : "serve", $"release-a-{version}", version, new SlugReference($"slug-{version}", "SHA256:" + new string('a', 64)),
        FakeDesiredState.Basic, new Dictionary<string, string>());

    [Fact]
    public async Task Recovered_formation_dynos_and_one_offs_are_adopted_and_not_started_again()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var leftovers = new[] { Spec("web.1", "web"), Spec("run.1234", "run"), Spec("release.2", "release") }
            .Select(spec => (spec, new FakeDynoProcess(spec, clock, new Uri("http://127.0.0.1:5000")) { Accepts = true }, DateTimeOffset.UnixEpoch)).ToList();
        await using var h = new SchedulerHarness(prepare: r => r.Leftovers.AddRange(leftovers));
        h.Desired.Set("a", 1, ("web", 1, "serve"));

        await h.UntilUp("a", "run.1234", "web.1");

        Assert.Empty(h.Runtime.Started);
        Assert.Equal(["release.2"], h.Runtime.Refused); // a release phase's caller is gone: it is stopped, not adopted
        Assert.Equal(DateTimeOffset.UnixEpoch, h.List().Single(d => d.Name == "web.1").CreatedAt);
        Assert.Equal(new Uri("http://127.0.0.1:5000"), Assert.Single(h.Scheduler.Resolve("a.example")!.Backends).Address);
    }

    [Fact]
    public async Task An_adopted_dyno_of_an_older_release_is_replaced()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var spec = Spec("worker.1", "worker");
        var adopted = new FakeDynoProcess(spec, clock, null) { Accepts = true };
        await using var h = new SchedulerHarness(prepare: r => r.Leftovers.Add((spec, adopted, DateTimeOffset.UnixEpoch)));
        h.Desired.Set("a", 2, ("worker", 1, "serve"));

        await h.Until(() => adopted.Exited.IsCompleted && h.Runtime.Of("worker.1").Count == 1, "the adopted worker replaced");

        await h.UntilUp("a", "worker.1");
        Assert.Equal(2L, h.List().Single().ReleaseVersion);
    }

    [Fact]
    public async Task An_adopted_dyno_that_exits_is_restarted_as_any_crash()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var spec = Spec("worker.1", "worker");
        var adopted = new FakeDynoProcess(spec, clock, null) { Accepts = true };
        await using var h = new SchedulerHarness(prepare: r => r.Leftovers.Add((spec, adopted, DateTimeOffset.UnixEpoch)));
        h.Desired.Set("a", 1, ("worker", 1, "serve"));
        await h.UntilUp("a", "worker.1");

        adopted.Exit(3);

        await h.Until(() => h.Runtime.Of("worker.1").Count == 1, "a restart");
        Assert.Contains("heroku[worker.1]: Process exited with status 3", h.Logs.Text("a"));
    }
}
