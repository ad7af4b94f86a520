using System.Globalization;
using Nuvem.Platform;

namespace Nuvem.Server.Api.Conventions;

/// <summary>
/// The fields a list can be ranged over, each with its sort key. Numeric fields (a release's version) compare
/// as numbers, the rest as ordinal strings.
/// </summary>
public sealed class RangeFields<T>
{
    private readonly Dictionary<string, (Func<T, string> Key, bool Numeric)> _fields = new(StringComparer.Ordinal);

    public RangeFields(string defaultField, Func<T, string> key, bool numeric = false)
    {
        DefaultField = defaultField;
        _fields[defaultField] = (key, numeric);
    }

    public string DefaultField { get; }

    public RangeFields<T> And(string field, Func<T, string> key, bool numeric = false)
    {
        _fields[field] = (key, numeric);
        return this;
    }

    internal (Func<T, string> Key, bool Numeric) Get(string field) =>
        _fields.TryGetValue(field, out var f)
            ? f
            : throw RangeHeader.Unsatisfiable($"Cannot range over '{field}'. Allowed: {string.Join(", ", _fields.Keys)}.");
}

/// <summary>
/// Sorts and slices a list by the request's <c>Range</c> header. Answers 206 with <c>Next-Range</c> when more
/// items follow (the heroku CLI repeats the request with that value), 200 on the last page.
/// </summary>
public static class Pagination
{
    public static IResult Page<T>(HttpContext context, IEnumerable<T> items, RangeFields<T> fields, Func<T, object> represent) =>
        Page(context, _ => items, fields, represent);

    /// <param name="source">
    /// Gives the items for a range. It may return everything, or — for long lists — already narrow them down in
    /// storage, as long as it returns at least max+1 of the matching items when there are that many (so that
    /// "more follow" can be told). The filtering and ordering below are applied either way.
    /// </param>
    public static IResult Page<T>(HttpContext context, Func<RangeHeader, IEnumerable<T>> source, RangeFields<T> fields, Func<T, object> represent)
    {
        var range = RangeHeader.Parse(context.Request.Headers.Range.ToString())
                    ?? new RangeHeader(fields.DefaultField, null, false, null, RangeHeader.DefaultMax, false);
        var (key, numeric) = fields.Get(range.Field);
        var items = source(range);
        IComparer<string> comparer = numeric ? NumericComparer.Instance : StringComparer.Ordinal;

        var sorted = range.Descending ? items.OrderByDescending(key, comparer).ToList() : items.OrderBy(key, comparer).ToList();
        var selected = sorted.Where(item =>
        {
            var k = key(item);
            if (range.Start is not null)
            {
                var c = comparer.Compare(k, range.Start) * (range.Descending ? -1 : 1);
                if (c < 0 || (c == 0 && range.StartExclusive)) return false;
            }
            if (range.End is not null && comparer.Compare(k, range.End) * (range.Descending ? -1 : 1) > 0) return false;
            return true;
        }).ToList();

        var page = selected.Take(range.Max).ToList();
        var headers = context.Response.Headers;
        headers.AcceptRanges = range.Field;
        if (page.Count > 0) headers.ContentRange = $"{range.Field} {key(page[0])}..{key(page[^1])}";
        var more = selected.Count > page.Count;
        if (more)
        {
            headers["Next-Range"] = $"{range.Field} ]{key(page[^1])}..; max={range.Max}{(range.Descending ? ", order=desc" : "")}";
        }
        return Results.Json(page.Select(represent).ToList(), statusCode: more ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK);
    }

    private sealed class NumericComparer : IComparer<string>
    {
        public static readonly NumericComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var xs = long.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var a);
            var ys = long.TryParse(y, NumberStyles.Integer, CultureInfo.InvariantCulture, out var b);
            if (xs && ys) return a.CompareTo(b);
            if (xs != ys) throw RangeHeader.Unsatisfiable($"Range value '{(xs ? y : x)}' is not a number.");
            return string.CompareOrdinal(x, y);
        }
    }
}
