using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Postgres;
using Nuvem.Platform.AddOns.Postgres.Backups;
using Nuvem.Platform.Apps;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Streams;

namespace Nuvem.Server.Api.Data;

/// <summary>
/// Heroku's data API for <c>pg:backups</c>, as heroku CLI 11.10.0 calls it at <c>HEROKU_DATA_HOST</c> (nuvemd's API
/// URL, with the same bearer tokens): an app's transfers (<c>/client/v11/apps/{app}/transfers[/{num or uuid}]</c>, with
/// <c>actions/public-url</c> and <c>actions/cancel</c>) and a database's backups, restores and daily schedules
/// (<c>/client/v11/databases/{add-on id}/backups|restores|transfer-schedules</c>).
/// </summary>
public static class DataBackupEndpoints
{
    public static void MapDataBackups(this IEndpointRouteBuilder api)
    {
        api.MapBackupDownloads();
        var apps = api.MapGroup("/client/v11/apps/{app}/transfers").RequireAuthorization();

        apps.MapGet("", (HttpContext http, string app, AppService appService, IServiceProvider services) =>
            Results.Json(Backups(services).Store.ForApp(appService.Find(http.Caller().Account, app).Id).Select(DataTransferJson.Transfer)));

        apps.MapGet("/{id}", (HttpContext http, string app, string id, AppService appService, IServiceProvider services) =>
            Results.Json(DataTransferJson.Transfer(Transfer(http, app, id, appService, services))));

        apps.MapDelete("/{id}", (HttpContext http, string app, string id, AppService appService, IServiceProvider services) =>
        {
            var transfer = Transfer(http, app, id, appService, services);
            Backups(services).Delete(transfer);
            return Results.Json(DataTransferJson.Transfer(transfer));
        });

        apps.MapPost("/{id}/actions/public-url", (HttpContext http, string app, string id, AppService appService, IServiceProvider services,
            SignedUrls urls) =>
        {
            var transfer = Transfer(http, app, id, appService, services);
            if (!transfer.IsBackup || transfer.Succeeded != true)
                throw PlatformException.Invalid($"{transfer.Name} is not a completed backup.");
            var (url, expires) = BackupDownloads.Sign(urls, transfer.Id, DateTimeOffset.UtcNow);
            return Results.Json(new { url, expires_at = DataTransferJson.Time(expires) });
        });

        apps.MapPost("/{id}/actions/cancel", (HttpContext http, string app, string id, AppService appService, IServiceProvider services) =>
        {
            var transfer = Transfer(http, app, id, appService, services);
            Backups(services).Cancel(transfer);
            return Results.Json(DataTransferJson.Transfer(Backups(services).Store.Find(transfer.Id) ?? transfer));
        });

        var databases = api.MapGroup("/client/v11/databases/{addon}").RequireAuthorization();

        databases.MapPost("/backups", (HttpContext http, string addon, AddOnService addOns, IServiceProvider services) =>
            Results.Json(DataTransferJson.Transfer(Backups(services).Capture(Database(http, addon, addOns))), statusCode: StatusCodes.Status201Created));

        databases.MapGet("/backups", (HttpContext http, string addon, AddOnService addOns, IServiceProvider services) =>
            Results.Json(Backups(services).Store.BackupsOf(Database(http, addon, addOns).Id).Select(DataTransferJson.Transfer)));

        databases.MapPost("/restores", async (HttpContext http, string addon, AddOnService addOns, AppService appService, SignedUrls urls,
            IServiceProvider services) =>
        {
            var target = Database(http, addon, addOns);
            var body = await JsonBody.ReadAsync(http.Request);
            var backup = Source(http, body.RequiredString("backup_url"), appService, urls, services);
            var restore = await Backups(services).RestoreAsync(target, backup, http.RequestAborted);
            return Results.Json(DataTransferJson.Transfer(restore), statusCode: StatusCodes.Status201Created);
        });

        databases.MapGet("/transfer-schedules", (HttpContext http, string addon, AddOnService addOns, IServiceProvider services) =>
        {
            var schedule = Backups(services).Store.ScheduleOf(Database(http, addon, addOns).Id);
            return Results.Json(schedule is null ? [] : new[] { DataTransferJson.Schedule(schedule) });
        });

        databases.MapPost("/transfer-schedules", async (HttpContext http, string addon, AddOnService addOns, IServiceProvider services) =>
        {
            var target = Database(http, addon, addOns);
            var body = await JsonBody.ReadAsync(http.Request);
            var (hour, zone) = PgBackupRules.ParseSchedule(body.Root.TryGetProperty("hour", out var h) ? h.ToString() : null, body.OptionalString("timezone"));
            var now = DateTimeOffset.UtcNow;
            var schedule = Backups(services).Store.SaveSchedule(target.Id, body.OptionalString("schedule_name") ?? "DATABASE_URL", hour, zone.Id,
                PgBackupRules.NextRun(hour, zone, now), now);
            return Results.Json(DataTransferJson.Schedule(schedule), statusCode: StatusCodes.Status201Created);
        });

        databases.MapDelete("/transfer-schedules/{id}", (HttpContext http, string addon, string id, AddOnService addOns, IServiceProvider services) =>
        {
            var target = Database(http, addon, addOns);
            var schedule = Backups(services).Store.ScheduleOf(target.Id);
            if (schedule is null || schedule.Id != id || !Backups(services).Store.DeleteSchedule(target.Id, id))
                throw PlatformException.NotFound("schedule", "No such backup schedule.");
            return Results.Json(DataTransferJson.Schedule(schedule));
        });
    }

    private static PostgresBackups Backups(IServiceProvider services) =>
        services.GetService<PostgresBackups>() ?? throw PlatformException.NotFound("database", "heroku-postgresql is not available on this platform.");

    /// <summary>A heroku-postgresql add-on the caller can see, by id (or name).</summary>
    private static AddOn Database(HttpContext http, string addon, AddOnService addOns)
    {
        var found = addOns.Find(http.Caller().Account, addon);
        if (found.Service != PostgresPlans.Service) throw PlatformException.NotFound("database", $"{found.Name} is not a Heroku Postgres database.");
        if (found.State != AddOnStates.Provisioned || found.ProviderId is null) throw PlatformException.NotFound("database", $"{found.Name} is not yet provisioned.");
        return found;
    }

    /// <summary>A transfer of the app, by number (as the CLI sends b001's) or uuid.</summary>
    private static PgTransfer Transfer(HttpContext http, string app, string id, AppService appService, IServiceProvider services)
    {
        var owner = appService.Find(http.Caller().Account, app);
        var store = Backups(services).Store;
        var transfer = Guid.TryParse(id, out _) ? store.Find(id) : PgBackupRules.Num(id) is { } num ? store.FindByNum(owner.Id, num) : null;
        return transfer is not null && transfer.AppId == owner.Id ? transfer : throw PlatformException.NotFound("transfer", $"No transfer {id} on {owner.Name}.");
    }

    /// <summary>
    /// The backup a restore's <c>backup_url</c> names: a backup's <c>to_url</c> (of an app the caller can see) or a valid
    /// signed URL of ours. Other URLs are refused: dumps from elsewhere are not fetched by the platform.
    /// </summary>
    private static PgTransfer Source(HttpContext http, string url, AppService appService, SignedUrls urls, IServiceProvider services)
    {
        var store = Backups(services).Store;
        if (url.StartsWith(DataTransferJson.BackupUrlScheme, StringComparison.Ordinal))
        {
            var backup = store.Find(url[DataTransferJson.BackupUrlScheme.Length..]) ?? throw PlatformException.NotFound("backup", "No such backup.");
            appService.Find(http.Caller().Account, backup.AppId); // the caller must see the app that owns it
            return backup;
        }
        if (BackupDownloads.FromUrl(urls, url, DateTimeOffset.UtcNow) is { } id)
            return store.Find(id) ?? throw PlatformException.NotFound("backup", "No such backup.");
        throw PlatformException.Invalid(
            "Restoring from a URL outside this platform is not supported: Nuvem restores only its own backups (a backup name such as " +
            "b001, APP::b001, or a URL from pg:backups:url). Load an outside dump with pg_restore against the database's URL instead.");
    }
}
