using System.Globalization;
using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Dynos;

/// <summary>
/// The environment a dyno's command starts with, the same whatever runs it (a container, a plain process, the release
/// phase): the release's config vars, then what Heroku sets on every dyno — <c>HOME</c>, <c>PATH</c> with the app's
/// <c>bin</c> first, <c>LANG</c> unless the app chose one, <c>DYNO</c> and <c>PS</c> (its name), <c>PORT</c> for the
/// dynos that listen — and the Procfile command for <see cref="DynoCommand.Launcher"/>.
/// </summary>
public static class DynoEnvironment
{
    /// <summary>Web dynos listen on <c>$PORT</c>; one-off dynos get one too, as on Heroku (a console may start a server).</summary>
    public static bool ListensOnPort(string type) => type is "web" or "run";

    /// <param name="home">Where the app is as the dyno sees it: <c>/app</c> in a container, its own directory as a plain process.</param>
    /// <param name="port">The dyno's <c>$PORT</c>; null when it gets none (and a config var of that name is dropped).</param>
    /// <param name="tmp">Its own temporary directory (<c>TMPDIR</c>) when it shares the host's <c>/tmp</c> namespace.</param>
    public static Dictionary<string, string> For(DynoSpec spec, string home, int? port, string? tmp = null)
    {
        var environment = new Dictionary<string, string>(spec.ConfigVars)
        {
            ["HOME"] = home,
            ["PATH"] = $"{home}/bin:/usr/local/bin:/usr/bin:/bin",
            ["LANG"] = spec.ConfigVars.GetValueOrDefault("LANG", "C.UTF-8"),
            ["DYNO"] = spec.Name,
            ["PS"] = spec.Name,
            [DynoCommand.Variable] = spec.Command,
        };
        if (tmp is not null) environment["TMPDIR"] = tmp;
        if (port is { } p) environment["PORT"] = p.ToString(CultureInfo.InvariantCulture);
        else environment.Remove("PORT");
        return environment;
    }
}
