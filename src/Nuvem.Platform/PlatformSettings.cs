using Nuvem.Platform.Formation;

namespace Nuvem.Platform;

/// <summary>
/// The few facts the domain needs about where the platform lives: the base domain apps get names under,
/// the router and API ports (for the URLs we hand out), and the policy tables (dyno sizes, limits).
/// Built once by the server from its environment.
/// </summary>
public sealed record PlatformSettings
{
    /// <summary>Apps are reachable at <c>NAME.Domain</c>; "localhost" by default, so <c>demo.localhost</c>.</summary>
    public string Domain { get; init; } = "localhost";

    /// <summary>The host name clients use for the API and git (HTTPS).</summary>
    public string ApiHost { get; init; } = "localhost";

    public int ApiPort { get; init; } = 5443;

    public int RouterPort { get; init; } = 5080;

    /// <summary>One region: a Nuvem installation is one place. Heroku shows non-"us" regions next to app names.</summary>
    public string Region { get; init; } = "local";

    /// <summary>The stack apps build and run on.</summary>
    public string Stack { get; init; } = "nuvem-1";

    public DynoSizeTable DynoSizes { get; init; } = DynoSizeTable.Default;

    /// <summary>Total size of an app's config vars (keys + values, UTF-8), like Heroku's 32 kB limit.</summary>
    public int ConfigVarsMaxBytes { get; init; } = 32 * 1024;

    /// <summary>Upper bound on the quantity of one process type, so a typo cannot ask for 10,000 dynos.</summary>
    public int MaxQuantityPerType { get; init; } = 100;

    public string WebUrl(string appName) =>
        RouterPort == 80 ? $"http://{appName}.{Domain}/" : $"http://{appName}.{Domain}:{RouterPort}/";

    public string GitUrl(string appName) => $"https://{ApiHost}:{ApiPort}/{appName}.git";
}
