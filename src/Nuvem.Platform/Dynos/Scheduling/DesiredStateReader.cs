namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// Reads the desired state for a pass, and remembers each app's last good one: an app whose current state cannot be
/// read is given that (or one that holds its dynos), so that its routes and dyno lists stay as they were.
/// </summary>
internal sealed class DesiredStateReader(IDesiredStateSource source)
{
    /// <summary>Each app's last desired state that could be read: what its dynos and route stay on while its current one
    /// cannot be.</summary>
    private readonly Dictionary<string, DesiredApp> _lastGood = new();

    /// <returns>Every app's desired state by app id, and the apps whose state could not be read, with why.</returns>
    public (Dictionary<string, DesiredApp> Desired, Dictionary<string, string> Broken) Read()
    {
        var state = source.Read();
        var desired = new Dictionary<string, DesiredApp>();
        var broken = new Dictionary<string, string>();
        foreach (var app in state.Apps) desired[app.AppId] = _lastGood[app.AppId] = app;
        foreach (var app in state.Broken)
        {
            broken[app.AppId] = app.Problem;
            desired[app.AppId] = _lastGood.GetValueOrDefault(app.AppId) ?? DesiredApp.Idle(app.AppId, app.AppName, app.Uid, app.Maintenance);
        }
        foreach (var gone in _lastGood.Keys.Where(id => !desired.ContainsKey(id)).ToList()) _lastGood.Remove(gone);
        return (desired, broken);
    }
}
