using System.Globalization;
using Nuvem.Platform;

namespace Nuvem.Server.Api.Conventions;

/// <summary>
/// Heroku's list pagination: <c>Range: version ]5..; max=10, order=desc</c>. The CLI places <c>;</c> and <c>,</c>
/// freely (<c>version ..; order=desc,max=1</c>, <c>id ..; max=1000;</c>) and sometimes sends an empty value.
/// A leading <c>]</c> on the start value makes it exclusive; that is how <c>Next-Range</c> resumes after the last item.
/// </summary>
public sealed record RangeHeader(string Field, string? Start, bool StartExclusive, string? End, int Max, bool Descending)
{
    public const int DefaultMax = 200;
    public const int MaxMax = 1000;

    /// <returns>null when the header is absent or empty.</returns>
    public static RangeHeader? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return null;
        var text = header.Trim();
        var space = text.IndexOfAny([' ', ';', ',']);
        var field = space < 0 ? text : text[..space];
        var rest = space < 0 ? "" : text[space..].TrimStart();
        if (field.Length == 0 || !field.All(c => char.IsAsciiLetterLower(c) || c == '_'))
            throw Unsatisfiable($"Invalid Range header '{header}': expected '<field> [start]..[end]; max=N, order=asc|desc'.");

        string? start = null, end = null;
        var exclusive = false;
        var parameters = rest;
        var dots = rest.IndexOf("..", StringComparison.Ordinal);
        var firstSeparator = rest.IndexOfAny([';', ',']);
        if (dots >= 0 && (firstSeparator < 0 || dots < firstSeparator))
        {
            var startText = rest[..dots].Trim();
            var afterDots = rest[(dots + 2)..];
            var endLength = afterDots.IndexOfAny([';', ',']);
            var endText = (endLength < 0 ? afterDots : afterDots[..endLength]).Trim();
            parameters = endLength < 0 ? "" : afterDots[endLength..];
            if (startText.StartsWith(']')) { exclusive = true; startText = startText[1..].Trim(); }
            start = startText.Length > 0 ? startText : null;
            end = endText.Length > 0 ? endText : null;
        }

        var max = DefaultMax;
        var descending = false;
        foreach (var part in parameters.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2) throw Unsatisfiable($"Invalid Range parameter '{part}'.");
            switch (kv[0])
            {
                case "max":
                    if (!int.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out max) || max < 1)
                        throw Unsatisfiable($"Range max must be a positive whole number, not '{kv[1]}'.");
                    max = Math.Min(max, MaxMax);
                    break;
                case "order":
                    descending = kv[1] switch
                    {
                        "asc" => false,
                        "desc" => true,
                        _ => throw Unsatisfiable($"Range order must be asc or desc, not '{kv[1]}'."),
                    };
                    break;
                default:
                    throw Unsatisfiable($"Unknown Range parameter '{kv[0]}'. Known: max, order.");
            }
        }
        return new RangeHeader(field, start, exclusive, end, max, descending);
    }

    public static PlatformException Unsatisfiable(string message) =>
        new(ErrorKind.BadRequest, "requested_range_not_satisfiable", message);
}
