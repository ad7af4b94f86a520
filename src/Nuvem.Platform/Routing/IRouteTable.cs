namespace Nuvem.Platform.Routing;

/// <summary>A web dyno the router may send requests to.</summary>
/// <param name="Dyno">Its name, for the router's log line (<c>dyno=web.2</c>).</param>
/// <param name="Address">Where it listens, e.g. <c>http://127.0.0.1:41234</c>.</param>
public sealed record Backend(string Dyno, Uri Address);

/// <summary>What the router needs to know about one app at the moment a request arrives.</summary>
/// <param name="Backends">Web dynos that are up and accept connections; empty when none are.</param>
/// <param name="WebDynosWanted">The formation asks for at least one web dyno (else H14 "No web dynos running").</param>
/// <param name="Crashed">Web dynos are wanted but none is up because they crashed (H10 "App crashed").</param>
public sealed record AppRoute(string AppId, string AppName, bool Maintenance, bool WebDynosWanted, bool Crashed, IReadOnlyList<Backend> Backends);

/// <summary>
/// Host name → app → its up web dynos: the router's view of the platform, kept by the dyno manager. Lookups are
/// made per request and must be cheap; changes (a deploy switching dynos, scaling, maintenance) show up at once.
/// </summary>
public interface IRouteTable
{
    /// <param name="host">The request's Host without port, lower case: <c>APP.NUVEM_DOMAIN</c> or a custom domain.</param>
    /// <returns>null when no app answers to that host.</returns>
    AppRoute? Resolve(string host);
}
