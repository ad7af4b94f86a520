using System.Text.RegularExpressions;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Logs;

/// <summary>
/// Prints log lines as they come: <c>2026-05-01T12:00:00.123456+00:00 app[web.1]: hello</c>. On a terminal they are
/// coloured the way Heroku's CLI does it: a dim timestamp, each process in its own colour (the router blue, the API
/// green), errors red, a dyno coming up green.
/// </summary>
public sealed partial class LogPrinter(Terminal terminal, bool colour)
{
    private const string Reset = "\u001b[0m";
    private static readonly string[] Palette = ["\u001b[36m", "\u001b[33m", "\u001b[35m", "\u001b[92m", "\u001b[94m", "\u001b[96m", "\u001b[93m", "\u001b[95m"];
    private readonly Dictionary<string, string> assigned = new(StringComparer.Ordinal);

    [GeneratedRegex(@"^(?<time>\S+) (?<source>[\w-]+)\[(?<dyno>[^\]]+)\]:(?<message>.*)$")]
    private static partial Regex Shape();

    [GeneratedRegex(@"\bat=error\b|\bError [HRL]\d\d\b|\bcrashed\b|\bstatus=5\d\d\b")]
    private static partial Regex Bad();

    public void Print(string line)
    {
        if (!colour)
        {
            terminal.Line(line);
            return;
        }
        var match = Shape().Match(line);
        if (!match.Success)
        {
            terminal.Line(line);
            return;
        }
        var dyno = match.Groups["dyno"].Value;
        var message = match.Groups["message"].Value;
        var identity = $"{match.Groups["source"].Value}[{dyno}]:";
        var messageColour = Bad().IsMatch(message) ? "\u001b[31m" : message.Contains("State changed from starting to up") ? "\u001b[32m" : null;
        terminal.Line($"\u001b[2m{match.Groups["time"].Value}{Reset} {ColourOf(dyno)}{identity}{Reset}" +
                      (messageColour is null ? message : $"{messageColour}{message}{Reset}"));
    }

    private string ColourOf(string dyno)
    {
        if (dyno == "router") return "\u001b[34m";
        if (dyno == "api") return "\u001b[32m";
        var type = dyno.Split('.')[0];
        if (!assigned.TryGetValue(type, out var code))
        {
            code = Palette[assigned.Count % Palette.Length];
            assigned[type] = code;
        }
        return code;
    }
}
