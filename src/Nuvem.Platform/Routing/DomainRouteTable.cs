using Dapper;
using Nuvem.Platform.Domains;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Routing;

/// <summary>
/// The route table of a platform that runs no dynos yet: it knows which app a host belongs to (default host or
/// custom domain, through <see cref="DomainService"/>), the app's maintenance flag and whether its formation wants
/// web dynos, and never has backends. The dyno manager registers the real table, which adds the up web dynos.
/// </summary>
public sealed class DomainRouteTable(DomainService domains, Database database) : IRouteTable
{
    public AppRoute? Resolve(string host)
    {
        var appId = domains.AppIdForHost(host);
        if (appId is null) return null;
        var app = database.Read(c => c.QuerySingleOrDefault<(string Name, bool Maintenance, int Web)>("""
            SELECT a.name, a.maintenance, COALESCE((SELECT f.quantity FROM formations f WHERE f.app_id = a.id AND f.type = 'web'), 0)
            FROM apps a WHERE a.id = @appId
            """, new { appId }));
        return app.Name is null ? null : new AppRoute(appId, app.Name, app.Maintenance, app.Web > 0, Crashed: false, Backends: []);
    }
}
