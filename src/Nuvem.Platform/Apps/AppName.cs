using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Nuvem.Platform.Apps;

/// <summary>Heroku's rules for app names, and its style of generated names ("sleepy-river-12345").</summary>
public static partial class AppName
{
    public const int MinLength = 3;
    public const int MaxLength = 30;

    [GeneratedRegex("^[a-z][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex Shape();

    /// <returns>Why the name is not allowed, or null when it is.</returns>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "Name must not be empty.";
        if (name.Length is < MinLength or > MaxLength)
            return $"Name must be between {MinLength} and {MaxLength} characters long.";
        if (!Shape().IsMatch(name))
            return "Name must start with a letter, end with a letter or digit and can only contain lowercase letters, digits, and dashes.";
        if (name.Contains("--", StringComparison.Ordinal)) return "Name must not contain two dashes in a row.";
        return null;
    }

    public static void Validate(string? name)
    {
        if (Problem(name) is { } problem) throw PlatformException.Invalid(problem);
    }

    private static readonly string[] Adjectives =
    [
        "ancient", "autumn", "billowing", "bold", "brave", "calm", "cool", "crisp", "dawn", "dry", "eager", "evening",
        "fierce", "floating", "fresh", "gentle", "glacial", "golden", "hidden", "jolly", "lively", "lucky", "misty",
        "morning", "nimble", "polar", "quiet", "rapid", "shiny", "silent", "sleepy", "snowy", "sunny", "swift", "tranquil", "young",
    ];

    private static readonly string[] Nouns =
    [
        "bayou", "beach", "brook", "canyon", "cliffs", "cloud", "coast", "dawn", "dune", "falls", "field", "forest",
        "garden", "harbor", "hill", "island", "lake", "meadow", "mesa", "mountain", "ocean", "peak", "plains", "reef",
        "ridge", "river", "savannah", "sea", "shore", "sky", "springs", "stream", "sunrise", "temple", "thicket", "valley",
    ];

    public static string Generate() =>
        $"{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]}-{Nouns[RandomNumberGenerator.GetInt32(Nouns.Length)]}-{RandomNumberGenerator.GetInt32(10000, 100000)}";
}
