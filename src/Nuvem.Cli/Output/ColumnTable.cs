using Spectre.Console;

namespace Nuvem.Cli.Output;

/// <summary>
/// Borderless, header-less columns like Heroku's lists. In colour (a terminal) it is a Spectre table; otherwise
/// plain text with two spaces between columns and no trailing blanks, so scripts can split on whitespace.
/// </summary>
public sealed class ColumnTable
{
    private readonly List<Cell[]> rows = [];

    public readonly record struct Cell(string Text, string? Style = null);

    public ColumnTable AddRow(params Cell[] cells)
    {
        rows.Add(cells);
        return this;
    }

    public void WriteTo(Terminal terminal)
    {
        if (rows.Count == 0) return;
        var columns = rows.Max(r => r.Length);
        if (terminal.Colour)
        {
            var table = new Table().NoBorder().HideHeaders();
            for (var c = 0; c < columns; c++) table.AddColumn(new TableColumn("").Padding(0, 0, 2, 0));
            foreach (var row in rows)
            {
                table.AddRow(Enumerable.Range(0, columns)
                    .Select(c => c < row.Length ? (Spectre.Console.Rendering.IRenderable)new Markup(terminal.Styled(row[c].Text, row[c].Style)) : Text.Empty));
            }
            terminal.Render(table);
            return;
        }

        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Length ? r[c].Text.Length : 0)).ToArray();
        foreach (var row in rows)
        {
            var line = string.Join("  ", Enumerable.Range(0, columns).Select(c => (c < row.Length ? row[c].Text : "").PadRight(widths[c])));
            terminal.Line(line.TrimEnd());
        }
    }
}
