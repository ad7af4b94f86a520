using System.Globalization;
using Nuvem.Platform.AddOns.Postgres.Backups;

namespace Nuvem.Server.Api.Data;

/// <summary>
/// Transfers and schedules as Heroku's data API shows them (the fields heroku CLI 11's pg:backups commands read), plus
/// Nuvem's own <c>verified</c> and <c>error</c>. A backup goes from <c>pg_dump</c> to <c>gof3r</c> (Heroku's storage); a
/// restore from <c>gof3r</c> to <c>pg_restore</c>. <c>to_url</c> of a backup names it inside the platform
/// (<c>nuvem://backups/ID</c>): the CLI hands it back as the restore's <c>backup_url</c>.
/// </summary>
public static class DataTransferJson
{
    public const string BackupUrlScheme = "nuvem://backups/";

    /// <summary>Heroku's transfer timestamps: <c>2016-10-05 19:16:44 +0000</c>.</summary>
    public static string? Time(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    public static object Transfer(PgTransfer t)
    {
        var backup = t.IsBackup;
        return new Dictionary<string, object?>
        {
            ["uuid"] = t.Id,
            ["num"] = t.Num,
            ["name"] = t.Name,
            ["from_name"] = backup ? t.AddOnName : t.SourceName,
            ["from_type"] = backup ? "pg_dump" : "gof3r",
            ["from_url"] = backup ? null : BackupUrlScheme + t.SourceId,
            ["to_name"] = backup ? "BACKUP" : t.AddOnName,
            ["to_type"] = backup ? "gof3r" : "pg_restore",
            ["to_url"] = backup ? BackupUrlScheme + t.Id : null,
            ["options"] = new Dictionary<string, object>(),
            ["source_bytes"] = t.SourceBytes,
            ["processed_bytes"] = t.ProcessedBytes,
            ["succeeded"] = t.Succeeded ?? false,
            ["verified"] = t.Verified,
            ["error"] = t.Error,
            ["warnings"] = 0,
            ["schedule"] = t.Scheduled ? new { name = t.AddOnName } : null,
            ["created_at"] = Time(t.CreatedAt),
            ["started_at"] = Time(t.StartedAt),
            ["finished_at"] = Time(t.FinishedAt),
            ["updated_at"] = Time(t.FinishedAt ?? t.StartedAt ?? t.CreatedAt),
            ["canceled_at"] = Time(t.CanceledAt),
            ["deleted_at"] = null,
            ["purged_at"] = null,
            ["logs"] = t.Logs.Select(l => new { created_at = Time(l.CreatedAt), message = l.Message }).ToList(),
        };
    }

    public static object Schedule(PgBackupSchedule s) => new
    {
        uuid = s.Id,
        name = s.Name,
        hour = s.Hour,
        timezone = s.TimeZone,
        days = new[] { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" },
        retain_weeks = 0,
        retain_months = 0,
        next_run_at = Time(s.NextRunAt),
    };
}
