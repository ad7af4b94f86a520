using System.Text.Json;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Postgres;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Data;

/// <summary>
/// Heroku's data API for the <c>pg:*</c> commands other than backups, served on the API's port (users point
/// <c>HEROKU_DATA_HOST</c> at the platform's host name; the CLI keeps <c>HEROKU_HOST</c>'s port) with the same tokens —
/// Bearer, or Basic with the token as password as <c>pg:credentials</c> sends it. A database is named by its add-on's
/// id or name; the caller sees it when they own the add-on or an app it is attached to (anyone else: not found), and
/// only the owner reads its password or resets it. The paths are those CLI 11.10.0 calls:
/// <list type="bullet">
/// <item><c>GET /client/v11/databases/{id}</c> (<c>pg:info</c>, and <c>pg:backups:capture</c>/<c>schedule</c> read its
/// Continuous Protection line);</item>
/// <item><c>PUT /client/v11/databases/{id}/reset</c> <c>{"extensions": […]}</c> (<c>pg:reset</c>);</item>
/// <item><c>POST /client/v11/databases/{id}/connection_reset</c> (<c>pg:killall</c>);</item>
/// <item><c>GET /client/v11/databases/{id}/wait_status</c> (<c>pg:wait</c>);</item>
/// <item><c>GET /postgres/v0/databases/{id}/credentials[/{name}]</c> (<c>pg:credentials</c>, <c>pg:credentials:url</c>):
/// one credential, <c>default</c>.</item>
/// </list>
/// <c>pg:psql</c>, <c>pg:ps</c>, <c>pg:kill</c>, <c>pg:locks</c>, <c>pg:outliers</c> and the other diagnostics need none
/// of it: the CLI resolves the attachment through the Platform API and runs the machine's <c>psql</c> with the app's URL.
/// </summary>
public static class DataDatabaseEndpoints
{
    private const string DefaultCredential = "default";

    public static void MapDataDatabases(this IEndpointRouteBuilder api)
    {
        var databases = api.MapGroup("/client/v11/databases/{id}").RequireAuthorization();

        databases.MapGet("", async (HttpContext http, string id, AddOnService addOns) =>
        {
            var addOn = addOns.Find(http.Caller().Account, id);
            var data = Databases(http);
            var database = await data.FindAsync(addOn, http.RequestAborted);
            var stats = await data.StatsAsync(database, http.RequestAborted);
            return Results.Json(Database(addOn, database, stats));
        });

        databases.MapGet("/wait_status", async (HttpContext http, string id, AddOnService addOns) =>
        {
            var addOn = addOns.Find(http.Caller().Account, id);
            var ready = addOn.State == AddOnStates.Provisioned;
            if (ready) await Databases(http).FindAsync(addOn, http.RequestAborted);
            return Results.Json(new Dictionary<string, object?>
            {
                ["waiting?"] = !ready, ["error?"] = addOn.State == AddOnStates.Deprovisioned, ["message"] = ready ? "Available" : "Provisioning",
            });
        });

        databases.MapPut("/reset", async (HttpContext http, string id, AddOnService addOns) =>
        {
            var addOn = Owned(http.Caller().Account, id, addOns);
            var extensions = await Extensions(http);
            var data = Databases(http);
            await data.ResetAsync(await data.FindAsync(addOn, http.RequestAborted), extensions, http.RequestAborted);
            return Results.Json(new { message = $"{addOn.Name} was reset." });
        });

        databases.MapPost("/connection_reset", async (HttpContext http, string id, AddOnService addOns) =>
        {
            var addOn = addOns.Find(http.Caller().Account, id);
            var data = Databases(http);
            var ended = await data.ResetConnectionsAsync(await data.FindAsync(addOn, http.RequestAborted), http.RequestAborted);
            return Results.Json(new { message = $"Terminated {ended} connections." });
        });

        var credentials = api.MapGroup("/postgres/v0/databases/{id}/credentials").RequireAuthorization();

        credentials.MapGet("", async (HttpContext http, string id, AddOnService addOns) =>
        {
            var caller = http.Caller().Account;
            var addOn = addOns.Find(caller, id);
            var database = await Databases(http).FindAsync(addOn, http.RequestAborted);
            return Results.Json(new[] { Credential(addOn, database, withPassword: false) });
        });

        credentials.MapGet("/{name}", async (HttpContext http, string id, string name, AddOnService addOns) =>
        {
            var addOn = Owned(http.Caller().Account, id, addOns);
            if (name != DefaultCredential)
                throw PlatformException.NotFound("credential", $"Couldn't find the credential {name}: {addOn.Name} has only {DefaultCredential}.");
            var database = await Databases(http).FindAsync(addOn, http.RequestAborted);
            return Results.Json(Credential(addOn, database, withPassword: true));
        });
    }

    /// <summary>The cluster's data operations; without PostgreSQL on the machine there is no database to find.</summary>
    private static PostgresDatabases Databases(HttpContext http) =>
        http.RequestServices.GetService<PostgresCluster>() is { } cluster
            ? new PostgresDatabases(cluster)
            : throw PlatformException.NotFound("database", $"{PostgresPlans.Service} is not offered on this platform.");

    /// <summary>An add-on the caller may reset or read the password of: theirs. Someone who only sees it is refused.</summary>
    private static AddOn Owned(Account caller, string id, AddOnService addOns)
    {
        var addOn = addOns.Find(caller, id);
        return addOn.OwnerId == caller.Id
            ? addOn
            : throw PlatformException.Forbidden($"Only the owner of {addOn.AppName} may do this to {addOn.Name}.");
    }

    /// <summary><c>GET /client/v11/databases/{id}</c>: what <c>pg:info</c> prints (<c>info</c>) and the fields other commands read.</summary>
    internal static object Database(AddOn addOn, PostgresDatabaseRecord database, PostgresStats stats) => new
    {
        Id = addOn.Id,
        AddonId = addOn.Id,
        Name = addOn.Name,
        Plan = database.Plan,
        ResourceUrl = ResourceUrl(addOn),
        DatabaseName = database.Name,
        Status = "available",
        Info = PostgresInfo.Items(database.Plan, stats).Select(item => new { item.Name, item.Values, item.ResolveDbName }),
        NumBytes = stats.Bytes,
        NumTables = stats.Tables,
        NumConnections = stats.Connections,
        PostgresVersion = PostgresInfo.Version(stats.ServerVersion),
        Following = (string?)null,
        Followers = Array.Empty<string>(),
        Leader = (string?)null,
        CreatedAt = Representation.Time(stats.CreatedAt),
    };

    private static object Credential(AddOn addOn, PostgresDatabaseRecord database, bool withPassword)
    {
        var url = Url(addOn);
        return new
        {
            Uuid = Representation.StableId($"credential:{addOn.Id}:{DefaultCredential}"),
            Name = DefaultCredential,
            State = "active",
            Database = url.Database,
            Host = url.Host,
            Port = url.Port,
            Credentials = new[] { new { User = url.User, Password = withPassword ? url.Password : null, State = "active", Connections = (int?)null } },
        };
    }

    private static string? ResourceUrl(AddOn addOn) =>
        addOn.Config.TryGetValue("URL", out var url) ? PostgresInfo.ResourceUrl(url) : null;

    private static PostgresUrlParts Url(AddOn addOn) =>
        addOn.Config.TryGetValue("URL", out var url) ? PostgresInfo.Parse(url) : throw PlatformException.NotFound("database", $"{addOn.Name} has no URL yet.");

    /// <summary><c>{"extensions": ["hstore", …]}</c> (the CLI sends nothing, or null, without <c>--extensions</c>).</summary>
    private static async Task<IReadOnlyList<string>> Extensions(HttpContext http)
    {
        if (http.Request.ContentLength is null or 0 && !http.Request.Headers.TransferEncoding.Any()) return [];
        var body = await JsonBody.ReadAsync(http.Request);
        if (!body.Root.TryGetProperty("extensions", out var list) || list.ValueKind == JsonValueKind.Null) return [];
        if (list.ValueKind != JsonValueKind.Array) throw JsonBody.WrongType("extensions", "an array of names", list);
        return list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw JsonBody.WrongType("extensions[]", "a name", e))
            .Distinct().ToList();
    }
}
