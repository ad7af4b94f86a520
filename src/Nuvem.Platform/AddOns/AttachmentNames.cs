using System.Text.RegularExpressions;

namespace Nuvem.Platform.AddOns;

/// <summary>
/// Which names an add-on is attached under, and the config vars those names give. Heroku Postgres' way: the app's
/// first database is <c>DATABASE</c> (<c>DATABASE_URL</c>), and every database also gets a colour alias unique in the
/// app (<c>HEROKU_POSTGRESQL_OLIVE</c>), so a second one never takes the first one's variable.
/// </summary>
public static partial class AttachmentNames
{
    /// <summary>Heroku Postgres' colours (observed in real config vars).</summary>
    public static readonly IReadOnlyList<string> Colours =
    [
        "AMBER", "AQUA", "BLACK", "BLUE", "BRONZE", "BROWN", "CHARCOAL", "COBALT", "COPPER", "CRIMSON", "CYAN", "GOLD",
        "GRAY", "GREEN", "IVORY", "JADE", "LIME", "MAGENTA", "MAROON", "MAUVE", "NAVY", "OLIVE", "ONYX", "ORANGE",
        "PINK", "PUCE", "PURPLE", "RED", "ROSE", "SILVER", "TEAL", "VIOLET", "WHITE", "YELLOW",
    ];

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex Shape();

    public const int MaxLength = 64;

    /// <summary><c>DATABASE</c> + <c>URL</c> → <c>DATABASE_URL</c>.</summary>
    public static string ConfigVar(string attachment, string suffix) => $"{attachment}_{suffix}";

    /// <summary>A name a user gave (<c>--as</c>): upper-cased (as Heroku shows them), then checked.</summary>
    public static string Normalise(string name)
    {
        var upper = name.Trim().ToUpperInvariant();
        if (upper.Length > MaxLength || !Shape().IsMatch(upper))
            throw PlatformException.Invalid(
                $"Attachment name '{name}' is invalid: it must start with a letter and contain only letters, digits and underscores (at most {MaxLength}).");
        return upper;
    }

    /// <summary>
    /// The names a new add-on is attached under in its owning app. The first is the one releases name ("Attach DATABASE").
    /// </summary>
    /// <param name="requested">The user's <c>--as</c>: replaces the primary name (and is never skipped).</param>
    /// <param name="taken">The app's attachment names now.</param>
    /// <returns>The names; one of them already taken in the app needs the user's confirmation to be replaced.</returns>
    /// <param name="addOnName">The add-on's name: a service without colours names a second add-on after it
    /// (<c>NUVEMTEST_CURVED_12345</c>) when its default name is taken.</param>
    public static IReadOnlyList<string> ForCreate(AddOnServiceSpec spec, string? requested, IReadOnlySet<string> taken, Random random, string addOnName = "")
    {
        var names = new List<string>();
        var primary = requested is not null ? Normalise(requested) : spec.PrimaryAttachment ?? (spec.ColourAliases ? null : spec.ConfigVarPrefix);
        if (requested is null && !spec.ColourAliases && primary is not null && taken.Contains(primary) && addOnName.Length > 0)
            primary = Normalise(addOnName.Replace('-', '_')[..Math.Min(addOnName.Length, MaxLength)]);
        // The implicit primary (DATABASE) goes to the app's first add-on of the service only; later ones get a colour alone.
        if (primary is not null && (requested is not null || !spec.ColourAliases || !taken.Contains(primary))) names.Add(primary);
        if (spec.ColourAliases) names.Add(FreeColour(spec, taken.Concat(names).ToHashSet(StringComparer.Ordinal), random));
        return names;
    }

    /// <summary>The name an existing add-on gets in another app when the user gave none: the primary name when free, else a colour.</summary>
    public static string ForAttach(AddOnServiceSpec spec, IReadOnlySet<string> taken, Random random)
    {
        var primary = spec.PrimaryAttachment ?? spec.ConfigVarPrefix;
        if (!taken.Contains(primary)) return primary;
        return spec.ColourAliases ? FreeColour(spec, taken, random) : primary;
    }

    /// <summary>A colour alias not used in the app; colours are picked at random, as Heroku's are.</summary>
    public static string FreeColour(AddOnServiceSpec spec, IReadOnlySet<string> taken, Random random)
    {
        var free = Colours.Select(c => $"{spec.ConfigVarPrefix}_{c}").Where(n => !taken.Contains(n)).ToList();
        if (free.Count > 0) return free[random.Next(free.Count)];
        for (var n = 2; ; n++)
        {
            var numbered = $"{spec.ConfigVarPrefix}_{Colours[random.Next(Colours.Count)]}_{n}";
            if (!taken.Contains(numbered)) return numbered;
        }
    }
}
