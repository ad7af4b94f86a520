namespace Nuvem.Platform.Formation;

/// <summary>Desired state of one process type: run <see cref="Quantity"/> dynos of <see cref="Size"/> with <see cref="Command"/>.</summary>
public sealed record ProcessFormation
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string AppName { get; init; }
    public required string Type { get; init; }
    public required string Command { get; init; }
    public int Quantity { get; init; }
    public required string Size { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>One requested change: a quantity (absolute "2" or relative "+1"/"-1") and/or a size.</summary>
public sealed record FormationUpdate(string Type, Quantity? Quantity, string? Size);

/// <summary>A quantity as users type it: "2" sets, "+1" and "-1" adjust.</summary>
public readonly record struct Quantity(int Value, bool Relative)
{
    public static Quantity Absolute(int value) => new(value, false);

    /// <summary>Parses "3", "+1", "-2". Throws an invalid-params error otherwise.</summary>
    public static Quantity Parse(string text)
    {
        var s = text.Trim();
        var relative = s.StartsWith('+') || s.StartsWith('-');
        if (!int.TryParse(relative ? s[1..] : s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
            throw PlatformException.Invalid($"Invalid quantity '{text}': use a whole number such as 2, or +1 / -1 to adjust.");
        return new Quantity(s.StartsWith('-') ? -n : n, relative);
    }

    public int ApplyTo(int current) => Relative ? current + Value : Value;
}
