using System.Text.RegularExpressions;

namespace Nuvem.UnitTests.Architecture;

/// <summary>
/// The shape the code keeps so that a newcomer can read it: small files, SQL only in stores, a short composition root.
/// </summary>
public sealed class CodeShapeTests
{
    private const int MaxLines = 350;

    [Fact]
    public void No_source_file_is_longer_than_350_lines()
    {
        var tooLong = new[] { "src", "tests", "bench" }
            .SelectMany(SourceTree.CSharpFiles)
            .Select(f => (File: SourceTree.Relative(f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > MaxLines)
            .Select(f => $"{f.File}: {f.Lines} lines")
            .ToList();
        Assert.True(tooLong.Count == 0, "Split these files by concept:\n" + string.Join("\n", tooLong));
    }

    [Fact]
    public void Program_cs_only_wires_in_at_most_120_lines()
    {
        var lines = File.ReadLines(Path.Combine(SourceTree.Root, "src/Nuvem.Server/Program.cs")).Count();
        Assert.True(lines <= 120, $"Program.cs has {lines} lines");
    }

    // SQL statements (upper case, as the code base writes them) and Dapper's calls on a connection.
    private static readonly Regex Sql = new(
        @"\b(SELECT\s+[\w*(]|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|CREATE\s+(TABLE|INDEX)\b)|\.(Query|QuerySingle|QuerySingleOrDefault|QueryFirstOrDefault|Execute|ExecuteScalar)(<[^>]+>)?\(",
        RegexOptions.Compiled);

    /// <summary>The database itself (connections, pragmas) and its migrations are the only SQL outside stores.</summary>
    private static readonly string[] DatabaseItself = ["src/Nuvem.Platform/State/Database.cs", "src/Nuvem.Platform/State/Migrator.cs"];

    [Fact]
    public void Sql_lives_only_in_store_files()
    {
        var outside = SourceTree.CSharpFiles("src")
            .Select(f => (Path: SourceTree.Relative(f), Text: File.ReadAllText(f)))
            .Where(f => !f.Path.EndsWith("Store.cs", StringComparison.Ordinal) && !DatabaseItself.Contains(f.Path))
            .SelectMany(f => f.Text.Split('\n').Select((line, i) => (f.Path, Line: i + 1, Text: line)))
            .Where(l => !l.Text.TrimStart().StartsWith("//") && !l.Text.TrimStart().StartsWith("///") && Sql.IsMatch(l.Text))
            .Select(l => $"{l.Path}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(outside.Count == 0, "Move this SQL into the table's *Store.cs:\n" + string.Join("\n", outside));
    }
}
