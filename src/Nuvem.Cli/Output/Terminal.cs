using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Nuvem.Cli.Output;

/// <summary>
/// Everything a command prints to stdout goes through here. Colour and ANSI sequences are only used when stdout is
/// a terminal and <c>NO_COLOR</c> is unset; redirected output (scripts, tests) is plain text that never wraps, so a
/// line can be matched whole. Plain lines bypass Spectre on purpose: its text renderer wraps at the console width.
/// </summary>
public sealed class Terminal
{
    private static readonly JsonSerializerOptions IndentedJson = new()
    {
        WriteIndented = true,
        // Print "+" and non-ASCII as themselves; the output is for people and jq, not for embedding in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly TextWriter writer;

    public Terminal(TextWriter writer, bool isTerminal, bool colour)
    {
        this.writer = writer;
        IsTerminal = isTerminal;
        Colour = colour;
        Spectre = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = colour ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
    }

    /// <summary>The process's stdout, with colour decided from the environment.</summary>
    public static Terminal ForStandardOutput()
    {
        var isTerminal = !Console.IsOutputRedirected;
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) ||
                      Environment.GetEnvironmentVariable("TERM") == "dumb";
        return new Terminal(Console.Out, isTerminal, isTerminal && !noColor);
    }

    public IAnsiConsole Spectre { get; }

    /// <summary>stdout is a terminal (a person is reading).</summary>
    public bool IsTerminal { get; }

    public bool Colour { get; }

    public void Line(string text = "") => writer.WriteLine(text);

    /// <summary>A line in a Spectre style (e.g. "red", "bold"); the text itself is never parsed as markup.</summary>
    public void Line(string text, string style)
    {
        if (Colour) Spectre.MarkupLine($"[{style}]{Markup.Escape(text)}[/]");
        else writer.WriteLine(text);
    }

    /// <summary>Heroku's section header: <c>=== title</c>.</summary>
    public void Header(string title) => Line($"=== {title}", "bold");

    public void Render(IRenderable renderable) => Spectre.Write(renderable);

    /// <summary>--json: the API's JSON, re-indented but otherwise untouched.</summary>
    public void Json(JsonNode? node) => writer.WriteLine(node is null ? "null" : node.ToJsonString(IndentedJson));

    /// <summary>Wraps text in a style for use inside markup built by the caller (tables).</summary>
    public string Styled(string text, string? style) =>
        Colour && style is not null ? $"[{style}]{Markup.Escape(text)}[/]" : Markup.Escape(text);
}
