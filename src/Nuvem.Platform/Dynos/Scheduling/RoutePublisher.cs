using System.Collections.Immutable;
using Nuvem.Platform.Routing;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// What the rest of the platform sees of the scheduler's dynos, as immutable snapshots replaced after every change and
/// read without locks: each app's route for the router (its up web dynos) and its dyno list for the API.
/// </summary>
internal sealed class RoutePublisher(DynoTable dynos)
{
    private ImmutableDictionary<string, AppRoute> _routes = ImmutableDictionary<string, AppRoute>.Empty;
    private ImmutableDictionary<string, ImmutableArray<Dyno>> _views = ImmutableDictionary<string, ImmutableArray<Dyno>>.Empty;

    public AppRoute? Route(string appId) => Volatile.Read(ref _routes).TryGetValue(appId, out var route) ? route : null;

    public IReadOnlyList<Dyno> List(string appId) => Volatile.Read(ref _views).TryGetValue(appId, out var list) ? list : [];

    /// <summary>Publishes the router's view (by app id) and the dyno lists.</summary>
    public void Publish(IReadOnlyDictionary<string, DesiredApp> desired)
    {
        var routes = ImmutableDictionary.CreateBuilder<string, AppRoute>();
        var views = ImmutableDictionary.CreateBuilder<string, ImmutableArray<Dyno>>();
        foreach (var app in desired.Values)
        {
            var mine = dynos.All.Where(d => d.AppId == app.AppId).ToList();
            var web = mine.Where(d => d.Type == "web" && !d.Stopping).ToList();
            var backends = web.Where(d => d.State == "up" && d.Process?.Address is not null)
                .Select(d => new Backend(d.Name, d.Process!.Address!)).ToList();
            var webWanted = app.Processes.Any(w => w.Type == "web" && w.Quantity > 0);
            var crashed = webWanted && backends.Count == 0 && web.Any(d => d.State == "crashed");
            routes[app.AppId] = new AppRoute(app.AppId, app.AppName, app.Maintenance, webWanted, crashed, backends);
            // A dyno being replaced shows until its successor takes its name's place (while it still serves).
            views[app.AppId] = mine
                .Where(d => !d.Retired || d.State is "up" or "starting")
                .GroupBy(d => d.Name).Select(g => g.OrderBy(d => d.Retired).First())
                .OrderBy(d => d.Type, StringComparer.Ordinal).ThenBy(d => d.Name, StringComparer.Ordinal)
                .Select(d => d.View()).ToImmutableArray();
        }
        Volatile.Write(ref _routes, routes.ToImmutable());
        Volatile.Write(ref _views, views.ToImmutable());
    }
}
