using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;

namespace Nuvem.Platform.AddOns.Scheduler;

/// <summary>
/// A job's schedule: a 5-field cron in UTC (parsed by Cronos), or one of Heroku Scheduler's forms, normalised to cron:
/// <c>every 10 minutes</c> → <c>*/10 * * * *</c>, <c>hourly at :30</c> (or <c>every hour at :30</c>) → <c>30 * * * *</c>,
/// <c>daily at 04:30</c> (or <c>every day at 04:30</c>) → <c>30 4 * * *</c>.
/// </summary>
public sealed partial class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(string cron, CronExpression expression)
    {
        Cron = cron;
        _expression = expression;
    }

    /// <summary>The normalised 5-field expression, as stored and shown.</summary>
    public string Cron { get; }

    /// <exception cref="PlatformException">Not a schedule: the message says what is accepted (the API answers 422).</exception>
    public static CronSchedule Parse(string? text)
    {
        var cron = Normalise(text);
        try
        {
            return new CronSchedule(cron, CronExpression.Parse(cron, CronFormat.Standard));
        }
        catch (CronFormatException e)
        {
            throw Invalid(text, e.Message);
        }
    }

    /// <summary>Heroku's forms to cron; anything else is returned trimmed with its whitespace collapsed.</summary>
    public static string Normalise(string? text)
    {
        var value = Spaces().Replace(text?.Trim() ?? "", " ");
        if (value.Length == 0) throw Invalid(text, "it is empty");
        if (TenMinutes().IsMatch(value)) return "*/10 * * * *";
        if (Hourly().Match(value) is { Success: true } hourly)
            return $"{Minute(hourly.Groups["m"].Value, text)} * * * *";
        if (Daily().Match(value) is { Success: true } daily)
        {
            var hour = daily.Groups["h"].Success ? int.Parse(daily.Groups["h"].Value, CultureInfo.InvariantCulture) : 0;
            if (hour > 23) throw Invalid(text, $"hour {hour} is not 0-23");
            return $"{Minute(daily.Groups["m"].Value, text)} {hour} * * *";
        }
        if (value.Split(' ').Length != 5) throw Invalid(text, "a cron expression has 5 fields: minute hour day-of-month month day-of-week");
        return value;
    }

    /// <summary>The first tick strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after.UtcDateTime, inclusive: false) is { } next
            ? new DateTimeOffset(next, TimeSpan.Zero)
            : DateTimeOffset.MaxValue;

    /// <summary>The latest tick at or before <paramref name="now"/> and at or after <paramref name="from"/>, or null.</summary>
    public DateTimeOffset? LatestBetween(DateTimeOffset from, DateTimeOffset now)
    {
        DateTime? latest = null;
        // Cron ticks are at most once a minute: walk back from now rather than forward over a long outage.
        var start = now.UtcDateTime.AddDays(-1) > from.UtcDateTime ? now.UtcDateTime.AddDays(-1) : from.UtcDateTime;
        foreach (var tick in _expression.GetOccurrences(start, now.UtcDateTime, fromInclusive: true, toInclusive: true)) latest = tick;
        if (latest is null && start > from.UtcDateTime)
            foreach (var tick in _expression.GetOccurrences(from.UtcDateTime, start, fromInclusive: true, toInclusive: true)) latest = tick;
        return latest is { } l ? new DateTimeOffset(l, TimeSpan.Zero) : null;
    }

    private static int Minute(string value, string? text)
    {
        var minute = value.Length == 0 ? 0 : int.Parse(value, CultureInfo.InvariantCulture);
        return minute <= 59 ? minute : throw Invalid(text, $"minute {minute} is not 0-59");
    }

    private static PlatformException Invalid(string? text, string why) => PlatformException.Invalid(
        $"Invalid schedule '{text}': {why}. Use a 5-field cron expression in UTC (\"*/30 * * * *\"), " +
        "\"every 10 minutes\", \"hourly at :MM\" or \"daily at HH:MM\".");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^every[ _](10|ten)[ _]minutes$", RegexOptions.IgnoreCase)]
    private static partial Regex TenMinutes();

    [GeneratedRegex(@"^(hourly|every[ _]hour)( at :?(?<m>\d{1,2}))?$", RegexOptions.IgnoreCase)]
    private static partial Regex Hourly();

    [GeneratedRegex(@"^(daily|every[ _]day)( at (?<h>\d{1,2}):(?<m>\d{2}))?$", RegexOptions.IgnoreCase)]
    private static partial Regex Daily();
}
