using Nuvem.Platform.Dynos.Scheduling;

namespace Nuvem.UnitTests.Dynos;

/// <summary>A broken app stays on its last good desired state, so its dynos and route stay as they were.</summary>
public sealed class DesiredStateReaderTests
{
    [Fact]
    public void A_broken_app_is_given_its_last_good_state()
    {
        var source = new FakeDesiredState();
        var reader = new DesiredStateReader(source);
        var good = source.Set("a", 1, ("web", 2, "serve"));
        reader.Read();

        source.Break("a", "gone");
        var (desired, broken) = reader.Read();

        Assert.Same(good, desired["a"]);
        Assert.Equal("gone", broken["a"]);
    }

    [Fact]
    public void A_broken_app_never_read_well_wants_nothing()
    {
        var source = new FakeDesiredState();
        source.Break("a", "gone");

        var (desired, broken) = new DesiredStateReader(source).Read();

        Assert.Empty(desired["a"].Processes);
        Assert.Null(desired["a"].Slug);
        Assert.Equal("app-a", desired["a"].AppName);
        Assert.Single(broken);
    }

    [Fact]
    public void A_destroyed_app_is_forgotten()
    {
        var source = new FakeDesiredState();
        var reader = new DesiredStateReader(source);
        source.Set("a", 1, ("web", 1, "serve"));
        reader.Read();
        source.Remove("a");
        reader.Read();

        source.Break("a", "gone"); // a new app of the same id would not get the old one's state
        Assert.Empty(reader.Read().Desired["a"].Processes);
    }
}
