using System.Text.RegularExpressions;

namespace Nuvem.Platform.Builds;

/// <summary>
/// Heroku's Procfile: one <c>name: command</c> per line, names of letters, digits, '_' and '-', blank lines and
/// '#' comments allowed. Anything else is refused with the line number, so a typo fails the build instead of
/// silently dropping a process type.
/// </summary>
public static partial class Procfile
{
    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_-]+)\s*:\s*(?<command>.*)$")]
    private static partial Regex Line();

    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var types = new Dictionary<string, (string Command, int Line)>(StringComparer.Ordinal);
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = Line().Match(line);
            if (!match.Success)
                throw new ProcfileException(number, $"expected \"name: command\" with a name of letters, digits, '_' or '-', got \"{Shorten(line)}\"");
            var name = match.Groups["name"].Value;
            var command = match.Groups["command"].Value.Trim();
            if (command.Length == 0) throw new ProcfileException(number, $"process type {name} has no command");
            if (types.TryGetValue(name, out var first))
                throw new ProcfileException(number, $"process type {name} is declared twice (first on line {first.Line})");
            types[name] = (command, number);
        }
        return types.ToDictionary(t => t.Key, t => t.Value.Command, StringComparer.Ordinal);
    }

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";
}

public sealed class ProcfileException(int line, string reason) : Exception($"Procfile line {line}: {reason}.")
{
    public int LineNumber { get; } = line;
}
