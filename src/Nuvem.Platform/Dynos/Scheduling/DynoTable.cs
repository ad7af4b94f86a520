using Nuvem.Platform.Logplex;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// The dynos the local scheduler runs, and the changes every part makes to them the same way: a state change is
/// written to the app's log as Heroku writes it (<c>heroku[web.1]: State changed from starting to up</c>).
/// Used on the scheduler's loop only.
/// </summary>
internal sealed class DynoTable(ILogplex logplex, TimeProvider clock)
{
    public List<ScheduledDyno> All { get; } = [];

    public void Add(ScheduledDyno dyno) => All.Add(dyno);

    public void Remove(ScheduledDyno dyno) => All.Remove(dyno);

    public bool Has(string appId, string name) => All.Any(d => d.AppId == appId && d.Name == name);

    /// <summary>An app's formation dynos to restart or stop: all, one process type, or one dyno by name.</summary>
    public List<ScheduledDyno> Select(string appId, string? type, string? name) =>
        All.Where(d => d.AppId == appId && !d.Retired && !d.Stopping && Matches(d, type, name)).ToList();

    /// <summary>Dynos stopping to be started afresh (a restart or stop moments ago). A second restart right after the
    /// first (`heroku ps:restart` then `ps:restart web`) finds them so and is already satisfied: not a "no such dyno".</summary>
    public int AlreadyRestarting(string appId, string? type, string? name) =>
        All.Count(d => d.AppId == appId && !d.Retired && d.Stopping && !d.OneOff && Matches(d, type, name));

    private static bool Matches(ScheduledDyno d, string? type, string? name) => (type is null || d.Type == type) && (name is null || d.Name == name);

    public void SetUp(ScheduledDyno dyno)
    {
        dyno.UpSince = clock.GetUtcNow();
        SetState(dyno, "up");
    }

    public void SetState(ScheduledDyno dyno, string state)
    {
        if (dyno.State == state) return;
        Log(dyno, $"State changed from {dyno.State} to {state}");
        dyno.State = state;
        dyno.UpdatedAt = clock.GetUtcNow();
    }

    /// <summary>A platform line about the dyno in the app's log (<c>heroku[web.1]: …</c>).</summary>
    public void Log(ScheduledDyno dyno, string message) => logplex.Publish(dyno.AppId, "heroku", dyno.Name, message);
}
