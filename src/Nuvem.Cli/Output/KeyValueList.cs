using System.Text;
using Spectre.Console;

namespace Nuvem.Cli.Output;

/// <summary>
/// Heroku's "styled object": one <c>Key: value</c> per line with the values aligned in one column. Multi-line
/// values continue on following lines at the same indent so the alignment survives.
/// </summary>
public sealed class KeyValueList
{
    private readonly List<(string Key, string Value, string? Style)> rows = [];

    public KeyValueList Add(string key, string value, string? style = null)
    {
        rows.Add((key, value, style));
        return this;
    }

    public void WriteTo(Terminal terminal)
    {
        if (rows.Count == 0) return;
        var width = rows.Max(r => r.Key.Length) + 2;
        foreach (var (key, value, style) in rows)
        {
            var lines = value.Split('\n');
            var label = (key + ":").PadRight(width);
            if (terminal.Colour)
            {
                var markup = new StringBuilder(terminal.Styled(label, "blue"));
                markup.Append(terminal.Styled(lines[0], style));
                terminal.Spectre.MarkupLine(markup.ToString());
            }
            else
            {
                terminal.Line((label + lines[0]).TrimEnd());
            }
            foreach (var continuation in lines.Skip(1)) terminal.Line(new string(' ', width) + continuation);
        }
    }
}
