using System.Text.RegularExpressions;

namespace Nuvem.Platform.AddOns;

/// <summary>Add-on names: globally unique, generated as Heroku's are (<c>postgresql-curved-12345</c>) unless the user gives one.</summary>
public static partial class AddOnNames
{
    private static readonly string[] Adjectives =
    [
        "acute", "amorphous", "angular", "animate", "aerodynamic", "asymmetrical", "clean", "closed", "colorful", "concave",
        "contoured", "convex", "crystalline", "cubed", "curly", "curved", "cylindrical", "deep", "defined", "dimensional",
        "elliptical", "encircled", "flat", "fluffy", "graceful", "horizontal", "infinite", "lively", "metric", "octagonal",
        "opaque", "parallel", "perpendicular", "polished", "regular", "reticulated", "rigid", "round", "rugged", "shaped",
        "sinuous", "slippery", "solid", "spherical", "square", "symmetrical", "tapered", "triangular", "vertical", "shallow",
    ];

    public const int MaxLength = 256;

    [GeneratedRegex("^[a-zA-Z][A-Za-z0-9_-]+$")]
    private static partial Regex Shape();

    /// <summary><c>postgresql-curved-12345</c>.</summary>
    public static string Generate(string prefix, Random random) =>
        $"{prefix}-{Adjectives[random.Next(Adjectives.Length)]}-{random.Next(10000, 100000)}";

    /// <summary>A user's <c>--name</c>: Heroku's pattern.</summary>
    public static void Validate(string name)
    {
        if (name.Length > MaxLength || !Shape().IsMatch(name))
            throw PlatformException.Invalid(
                $"Name '{name}' is invalid: it must start with a letter and contain only letters, digits, '-' and '_'.");
    }
}
