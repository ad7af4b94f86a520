using System.Globalization;
using System.Text.Json;
using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Formation;
using Nuvem.Platform.Operations;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

public static class FormationEndpoints
{
    public static void MapFormation(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/apps/{app}/formation").RequireAuthorization();
        var fields = new RangeFields<ProcessFormation>("type", f => f.Type).And("id", f => f.Id);

        group.MapGet("", (HttpContext http, string app, AppService apps, FormationService formation, Representation json) =>
            Pagination.Page(http, formation.List(apps.Find(http.Caller().Account, app)), fields, json.Formation));

        group.MapGet("/{type}", (HttpContext http, string app, string type, AppService apps, FormationService formation, Representation json) =>
            Results.Json(json.Formation(formation.Get(apps.Find(http.Caller().Account, app), type))));

        // Batch: {"updates": [{"type": "web", "quantity": "+1", "size": "standard-2x"}, …]}, all or nothing.
        group.MapPatch("", async (HttpContext http, string app, AppService apps, Scale scale, Representation json) =>
        {
            var caller = http.Caller().Account;
            var target = apps.Find(caller, app);
            var body = await JsonBody.ReadAsync(http.Request);
            if (!body.Root.TryGetProperty("updates", out var updates) || updates.ValueKind != JsonValueKind.Array)
                throw PlatformException.Invalid("updates must be an array of {type, quantity, size} objects.");
            var parsed = updates.EnumerateArray().Select((item, i) => ParseUpdate(item, $"updates[{i}]", typeFromPath: null)).ToList();
            return Results.Json(scale.Run(caller, target, parsed).Select(json.Formation));
        });

        group.MapPatch("/{type}", async (HttpContext http, string app, string type, AppService apps, Scale scale, Representation json) =>
        {
            var caller = http.Caller().Account;
            var target = apps.Find(caller, app);
            var body = await JsonBody.ReadAsync(http.Request);
            var update = ParseUpdate(body.Root, "body", typeFromPath: type);
            return Results.Json(json.Formation(scale.Run(caller, target, [update]).Single()));
        });
    }

    private static FormationUpdate ParseUpdate(JsonElement item, string where, string? typeFromPath)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw PlatformException.Invalid($"{where} must be an object like {{\"type\":\"web\",\"quantity\":2}}.");
        var type = typeFromPath;
        if (type is null)
        {
            type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (string.IsNullOrEmpty(type)) throw PlatformException.Invalid($"{where}.type must name a process type, e.g. \"web\".");
        }

        Quantity? quantity = null;
        if (item.TryGetProperty("quantity", out var q) && q.ValueKind != JsonValueKind.Null)
        {
            quantity = q.ValueKind switch
            {
                JsonValueKind.Number when q.TryGetInt32(out var n) => Quantity.Absolute(n),
                JsonValueKind.String => Quantity.Parse(q.GetString()!),
                _ => throw PlatformException.Invalid($"{where}.quantity must be a whole number or a string like \"2\", \"+1\" or \"-1\", not {JsonBody.Describe(q.ValueKind)}."),
            };
        }

        string? size = null;
        if (item.TryGetProperty("size", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            size = s.ValueKind == JsonValueKind.String ? s.GetString() : throw PlatformException.Invalid($"{where}.size must be a string such as \"standard-1x\".");
        }

        if (quantity is null && size is null) throw PlatformException.Invalid($"{where} must set quantity, size or both for {type}.");
        return new FormationUpdate(type, quantity, size);
    }
}
