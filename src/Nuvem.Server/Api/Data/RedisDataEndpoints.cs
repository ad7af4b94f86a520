using Nuvem.Platform;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Redis;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Data;

/// <summary>
/// The part of Heroku's data API the <c>redis:*</c> commands read, on the API's port like the Postgres one
/// (<c>HEROKU_DATA_HOST</c> or <c>HEROKU_REDIS_HOST</c> at the platform's host name):
/// <c>GET /redis/v0/databases/{id}</c>, what <c>redis:info</c> prints (<c>info</c>) and <c>redis:credentials</c>
/// (<c>resource_url</c>: the URL with its password, given to the add-on's owner only; anyone else who sees the add-on
/// gets null). A database is named by its add-on's id or name.
/// </summary>
public static class RedisDataEndpoints
{
    public static void MapRedisData(this IEndpointRouteBuilder api)
    {
        api.MapGet("/redis/v0/databases/{id}", (HttpContext http, string id, AddOnService addOns) =>
        {
            var caller = http.Caller().Account;
            var addOn = addOns.Find(caller, id);
            if (addOn.Service != RedisPlans.Service || http.RequestServices.GetService<RedisServers>() is not { } servers)
                throw PlatformException.NotFound("database", $"{addOn.Name} is not a {RedisPlans.Service} add-on.");
            var instance = addOn.ProviderId is { } name ? servers.Find(name) : null;
            var limits = RedisPlans.For(instance?.Plan ?? addOn.Plan);
            var running = instance is not null && servers.Pid(instance.Name) is not null;
            var url = addOn.Config.TryGetValue("URL", out var u) && addOn.OwnerId == caller.Id ? u : null;
            return Results.Json(new
            {
                Name = addOn.Name,
                Plan = addOn.Plan,
                ResourceUrl = url,
                Info = new[]
                {
                    Row("Plan", limits.Plan),
                    Row("Status", running ? "available" : instance is null ? "creating" : "unavailable"),
                    Row("Created", Representation.Time(addOn.CreatedAt)),
                    Row("Maxmemory", $"{limits.MaxMemoryBytes / (1024 * 1024)} MB"),
                    Row("Maxmemory Policy", RedisPlans.EvictionPolicy),
                    Row("Max Connections", limits.MaxClients.ToString()),
                    Row("Persistence", "AOF (appendfsync everysec)"),
                },
            });
        }).RequireAuthorization();
    }

    private static object Row(string name, string value) => new { Name = name, Values = new[] { value } };
}
