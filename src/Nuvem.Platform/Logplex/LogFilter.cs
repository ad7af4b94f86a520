using System.Text.RegularExpressions;

namespace Nuvem.Platform.Logplex;

/// <summary>
/// Which lines a log session wants: a source (<c>app</c> or <c>heroku</c>) and a dyno, which is either one
/// process (<c>web.1</c>, <c>router</c>, <c>api</c>) or a process type (<c>web</c> matches web.1, web.2…).
/// </summary>
public sealed partial record LogFilter(string? Source, string? Dyno)
{
    public static readonly LogFilter All = new(null, null);

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}(\.[0-9]{1,9})?$")]
    private static partial Regex DynoShape();

    /// <summary>Checks what a client sent; empty values mean "no filter".</summary>
    public static LogFilter Parse(string? source, string? dyno)
    {
        source = string.IsNullOrWhiteSpace(source) ? null : source.Trim();
        dyno = string.IsNullOrWhiteSpace(dyno) ? null : dyno.Trim();
        if (source is not null && source is not ("app" or "heroku"))
            throw PlatformException.Invalid($"source must be app or heroku, not '{source}'.");
        if (dyno is not null && !DynoShape().IsMatch(dyno))
            throw PlatformException.Invalid($"dyno must be a dyno name such as web.1, a process type such as web, or router / api, not '{dyno}'.");
        return new LogFilter(source, dyno);
    }

    public bool Matches(LogLine line)
    {
        if (Source is not null && !string.Equals(line.Source, Source, StringComparison.Ordinal)) return false;
        if (Dyno is null || string.Equals(line.Dyno, Dyno, StringComparison.Ordinal)) return true;
        // A process type matches its numbered dynos: web → web.1, web.2, but not webhook.1.
        return !Dyno.Contains('.') && line.Dyno.Length > Dyno.Length + 1 && line.Dyno[Dyno.Length] == '.'
               && line.Dyno.StartsWith(Dyno, StringComparison.Ordinal);
    }
}
