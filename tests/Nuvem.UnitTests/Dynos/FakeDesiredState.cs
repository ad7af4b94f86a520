using Nuvem.Platform.Dynos.Scheduling;
using Nuvem.Platform.Formation;
using Nuvem.Platform.Slugs;

namespace Nuvem.UnitTests.Dynos;

/// <summary>The scheduler's input as the test says: apps with a release and a formation, or broken.</summary>
public sealed class FakeDesiredState : IDesiredStateSource
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DesiredApp> _apps = new();
    private readonly Dictionary<string, BrokenApp> _broken = new();

    public static readonly DynoSize Basic = DynoSizeTable.Default.DefaultSize;

    public DesiredState Read()
    {
        lock (_lock) return new DesiredState(_apps.Values.ToList(), _broken.Values.ToList());
    }

    /// <summary>Sets an app's current release <paramref name="version"/> and its formation (<c>("web", 2, "cmd")</c>…).</summary>
    public DesiredApp Set(string appId, long version, params (string Type, int Quantity, string Command)[] formation) =>
        Set(appId, version, new Dictionary<string, string>(), maintenance: false, formation);

    public DesiredApp Set(string appId, long version, IReadOnlyDictionary<string, string> config, bool maintenance,
        params (string Type, int Quantity, string Command)[] formation)
    {
        var app = new DesiredApp(appId, "app-" + appId, 10_000, maintenance, $"release-{appId}-{version}", version,
            new SlugReference($"slug-{version}", "SHA256:" + new string('a', 64)), config,
            formation.Select(f => new DesiredProcess(f.Type, f.Quantity, f.Command, Basic)).ToList());
        lock (_lock)
        {
            _apps[appId] = app;
            _broken.Remove(appId);
        }
        return app;
    }

    /// <summary>An app without a release yet: nothing to run.</summary>
    public void SetIdle(string appId)
    {
        lock (_lock) _apps[appId] = DesiredApp.Idle(appId, "app-" + appId, 10_000, false);
    }

    public void Break(string appId, string problem)
    {
        lock (_lock)
        {
            _apps.Remove(appId);
            _broken[appId] = new BrokenApp(appId, "app-" + appId, 10_000, false, problem);
        }
    }

    public void Remove(string appId)
    {
        lock (_lock) { _apps.Remove(appId); _broken.Remove(appId); }
    }
}
