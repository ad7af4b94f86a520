using System.Text.RegularExpressions;

namespace Nuvem.UnitTests.Architecture;

/// <summary>The repository's C# sources, read from disk: the rules about the code's shape are checked on the files themselves.</summary>
internal static class SourceTree
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nuvem.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No Nuvem.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>Every .cs file under <paramref name="folder"/> (relative to the root), build outputs and test fixtures aside.</summary>
    public static IEnumerable<string> CSharpFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !Regex.IsMatch(Relative(f), @"(^|/)(bin|obj|Fixtures)/"))
            .Order(StringComparer.Ordinal);

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>The namespace a file declares (file-scoped or block), or null.</summary>
    public static string? NamespaceOf(string text) =>
        Regex.Match(text, @"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;
}
