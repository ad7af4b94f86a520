using System.Text.Json;
using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Operations;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;

namespace Nuvem.Server.Api.Endpoints;

public static class ConfigVarEndpoints
{
    public static void MapConfigVars(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/apps/{app}/config-vars").RequireAuthorization();

        group.MapGet("", (HttpContext http, string app, AppService apps, ConfigVarService config) =>
            Results.Json(config.Get(apps.Find(http.Caller().Account, app))));

        // {"KEY": "value"} sets, {"KEY": null} unsets; anything else is refused before anything changes.
        group.MapPatch("", async (HttpContext http, string app, AppService apps, SetConfigVars setConfigVars) =>
        {
            var caller = http.Caller().Account;
            var target = apps.Find(caller, app);
            var body = await JsonBody.ReadAsync(http.Request);
            var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in body.Root.EnumerateObject())
            {
                changes[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => throw PlatformException.Invalid(
                        $"The value of {property.Name} must be a string (or null to unset it), not {JsonBody.Describe(property.Value.ValueKind)}."),
                };
            }
            return Results.Json(setConfigVars.Run(target, caller.Id, changes).Vars);
        });
    }
}
