using System.Text.RegularExpressions;

namespace Nuvem.Platform.AddOns.Postgres.Backups;

/// <summary>
/// The rules of backups users meet: Heroku's names, how many are kept, when a daily schedule runs next.
/// </summary>
public static partial class PgBackupRules
{
    /// <summary>Scheduled backups kept per add-on: a week of dailies.</summary>
    public const int ScheduledKept = 7;

    /// <summary>Manual backups kept per add-on: 5 on essential plans, 25 on larger ones (Heroku keeps 2–25 by plan).</summary>
    public static int ManualKept(string plan) => plan.StartsWith("essential", StringComparison.Ordinal) ? 5 : 25;

    public static string Name(string kind, bool scheduled, int num) =>
        (kind == PgTransferKinds.Restore ? "r" : scheduled ? "a" : "b") + num.ToString("000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The number in a name as the CLI types it (<c>b001</c>, <c>a12</c>, <c>r003</c>), or in a bare number.</summary>
    public static int? Num(string name)
    {
        var match = NamePattern().Match(name);
        return match.Success && int.TryParse(match.Groups[1].Value, out var num) && num > 0 ? num : null;
    }

    /// <summary>
    /// Which backups of one kind (manual or scheduled) of one add-on go: the <paramref name="keep"/> newest succeeded
    /// ones stay; a failed one stays only while it is newer than every kept succeeded one (the latest failures explain
    /// themselves until a good backup supersedes them), and running ones always stay.
    /// </summary>
    public static IReadOnlyList<PgTransfer> Expired(IEnumerable<PgTransfer> backups, int keep)
    {
        var ordered = backups.OrderByDescending(b => b.Num).ToList();
        var kept = ordered.Where(b => b.Succeeded == true).Take(keep).ToHashSet();
        var newestGood = ordered.FirstOrDefault(b => b.Succeeded == true)?.Num ?? 0; // no good backup yet: every failure stays
        return ordered.Where(b => b.Finished && !kept.Contains(b) && (b.Succeeded == true || b.Num < newestGood)).ToList();
    }

    /// <summary>
    /// The first <paramref name="hour"/>:00 in <paramref name="zone"/> strictly after <paramref name="now"/>. A local
    /// hour skipped by a DST change runs at the first valid time after it; one that occurs twice runs at the first.
    /// </summary>
    public static DateTimeOffset NextRun(int hour, TimeZoneInfo zone, DateTimeOffset now)
    {
        var localToday = TimeZoneInfo.ConvertTime(now, zone).Date;
        for (var day = -1; day <= 2; day++)
        {
            var local = DateTime.SpecifyKind(localToday.AddDays(day).AddHours(hour), DateTimeKind.Unspecified);
            DateTimeOffset at;
            if (zone.IsInvalidTime(local))
            {
                while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
                at = new DateTimeOffset(local, zone.GetUtcOffset(local));
            }
            else if (zone.IsAmbiguousTime(local))
                at = new DateTimeOffset(local, zone.GetAmbiguousTimeOffsets(local).Max());
            else
                at = new DateTimeOffset(local, zone.GetUtcOffset(local));
            if (at > now) return at.ToUniversalTime();
        }
        throw new InvalidOperationException("No next run found."); // unreachable: a day always has the hour or a later valid time
    }

    /// <exception cref="PlatformException">Not an hour 0–23 or not a time zone this host knows.</exception>
    public static (int Hour, TimeZoneInfo Zone) ParseSchedule(string? hour, string? timezone)
    {
        if (!int.TryParse(hour, out var h) || h is < 0 or > 23)
            throw PlatformException.Invalid("hour must be 0–23 (pg:backups:schedule --at '02:00 Europe/Berlin').");
        try { return (h, TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrWhiteSpace(timezone) ? "UTC" : timezone)); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw PlatformException.Invalid($"Unknown time zone {timezone}: use an IANA name such as Europe/Berlin or UTC.");
        }
    }

    [GeneratedRegex("^[abcr]?0*([0-9]{1,9})$")]
    private static partial Regex NamePattern();
}
