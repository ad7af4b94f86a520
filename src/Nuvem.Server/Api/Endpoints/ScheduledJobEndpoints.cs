using Nuvem.Platform;
using Nuvem.Platform.AddOns.Scheduler;
using Nuvem.Platform.Apps;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>
/// <c>/apps/{app}/scheduled-jobs</c>: Heroku Scheduler's jobs of an app with a scheduler add-on,
/// <c>{"command","schedule","size"}</c>; schedule is a 5-field cron (UTC) or Heroku's "every 10 minutes",
/// "hourly at :MM", "daily at HH:MM". A bad schedule or size is a 422 that says why.
/// </summary>
public static class ScheduledJobEndpoints
{
    public static void MapScheduledJobs(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/apps/{app}/scheduled-jobs").RequireAuthorization();

        group.MapGet("", (HttpContext http, string app, AppService apps, ScheduledJobs jobs) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(jobs.List(target.Id).Select(j => Json(j, target)).ToList());
        });

        group.MapPost("", async (HttpContext http, string app, AppService apps, ScheduledJobs jobs, PlatformSettings settings) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var request = await ReadAsync(http, settings);
            return Results.Json(Json(jobs.Create(target.Id, request), target), statusCode: StatusCodes.Status201Created);
        });

        group.MapGet("/{id}", (HttpContext http, string app, string id, AppService apps, ScheduledJobs jobs) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(Json(jobs.Get(target.Id, id), target));
        });

        group.MapPatch("/{id}", async (HttpContext http, string app, string id, AppService apps, ScheduledJobs jobs, PlatformSettings settings) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var request = await ReadAsync(http, settings);
            return Results.Json(Json(jobs.Update(target.Id, id, request), target));
        });

        group.MapDelete("/{id}", (HttpContext http, string app, string id, AppService apps, ScheduledJobs jobs) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(Json(jobs.Delete(target.Id, id), target));
        });
    }

    private static async Task<ScheduledJobRequest> ReadAsync(HttpContext http, PlatformSettings settings)
    {
        var body = await JsonBody.ReadAsync(http.Request);
        var size = body.OptionalString("size");
        if (!string.IsNullOrWhiteSpace(size) && settings.DynoSizes.Find(size) is null)
            throw PlatformException.Invalid($"No such dyno size '{size}'. Available sizes: {string.Join(", ", settings.DynoSizes.All.Select(s => s.Name))}.");
        return new ScheduledJobRequest(body.OptionalString("command"), body.OptionalString("schedule"), size);
    }

    private static Dictionary<string, object?> Json(ScheduledJob job, App app) => new()
    {
        ["id"] = job.Id,
        ["app"] = new Dictionary<string, object?> { ["id"] = app.Id, ["name"] = app.Name },
        ["command"] = job.Command,
        ["schedule"] = job.Schedule,
        ["size"] = job.Size,
        ["last_run_at"] = Representation.Time(job.LastTick),
        ["next_run_at"] = Representation.Time(job.NextRun),
        ["created_at"] = Representation.Time(job.CreatedAt),
        ["updated_at"] = Representation.Time(job.UpdatedAt),
    };
}
