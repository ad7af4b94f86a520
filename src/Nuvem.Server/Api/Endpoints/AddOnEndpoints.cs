using System.Text.Json;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Operations;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;

namespace Nuvem.Server.Api.Endpoints;

/// <summary>
/// The add-on catalog (<c>/addon-services</c>, <c>/plans</c>: public, as on Heroku) and add-ons
/// (<c>/apps/{app}/addons</c>, <c>/addons</c>, <c>/actions/addons/resolve</c>). A caller sees the add-ons their apps own
/// or are attached to; changing or destroying one takes owning its app.
/// </summary>
public static class AddOnEndpoints
{
    public static void MapAddOns(this IEndpointRouteBuilder api)
    {
        MapCatalog(api);
        var fields = new RangeFields<AddOn>("id", a => a.Id).And("name", a => a.Name);
        var app = api.MapGroup("/apps/{app}/addons").RequireAuthorization();

        app.MapGet("", (HttpContext http, string app, AppService apps, AddOnService addOns, AddOnRepresentation json) =>
            Pagination.Page(http, addOns.ForApp(apps.Find(http.Caller().Account, app)), fields, a => json.AddOn(a, AddOnRepresentation.Expansion.Of(http))));

        app.MapPost("", async (HttpContext http, string app, AppService apps, CreateAddOn create, AddOnRepresentation json) =>
        {
            var caller = http.Caller().Account;
            var target = apps.Find(caller, app);
            var body = await JsonBody.ReadAsync(http.Request);
            var request = new CreateAddOnRequest(
                body.OptionalReference("plan") ?? throw PlatformException.Invalid("plan is required."),
                As: Nested(body, "attachment", "name"),
                Name: body.OptionalString("name"),
                Confirm: body.OptionalString("confirm"),
                Options: Options(body));
            var addOn = await create.RunAsync(target, caller.Id, request);
            return Results.Json(json.AddOn(addOn, AddOnRepresentation.Expansion.Of(http)), statusCode: StatusCodes.Status201Created);
        });

        app.MapGet("/{addon}", (HttpContext http, string app, string addon, AppService apps, AddOnService addOns, AddOnRepresentation json) =>
            Results.Json(json.AddOn(addOns.FindIn(apps.Find(http.Caller().Account, app), addon), AddOnRepresentation.Expansion.Of(http))));

        app.MapPatch("/{addon}", async (HttpContext http, string app, string addon, AppService apps, AddOnService addOns,
            ChangeAddOnPlan changePlan, AddOnRepresentation json) =>
        {
            var caller = http.Caller().Account;
            var target = Owned(caller, apps.Find(caller, app), addon, addOns);
            var body = await JsonBody.ReadAsync(http.Request);
            if (body.OptionalString("name") is { } name) target = addOns.Rename(target, name);
            if (body.OptionalReference("plan") is { } plan) target = await changePlan.RunAsync(target, plan, caller.Id);
            return Results.Json(json.AddOn(target, AddOnRepresentation.Expansion.Of(http)));
        });

        app.MapDelete("/{addon}", async (HttpContext http, string app, string addon, AppService apps, AddOnService addOns,
            DestroyAddOn destroy, AddOnRepresentation json) =>
        {
            var caller = http.Caller().Account;
            var target = Owned(caller, apps.Find(caller, app), addon, addOns);
            var force = http.Request.ContentLength > 0 && (await JsonBody.ReadAsync(http.Request)).OptionalBool("force") == true;
            return Results.Json(json.AddOn(await destroy.RunAsync(target, caller.Id, force), AddOnRepresentation.Expansion.Of(http)));
        });

        api.MapGet("/addons", (HttpContext http, AddOnService addOns, AddOnRepresentation json) =>
            Pagination.Page(http, addOns.List(http.Caller().Account), fields, a => json.AddOn(a, AddOnRepresentation.Expansion.Of(http)))).RequireAuthorization();

        api.MapGet("/addons/{addon}", (HttpContext http, string addon, AddOnService addOns, AddOnRepresentation json) =>
            Results.Json(json.AddOn(addOns.Find(http.Caller().Account, addon), AddOnRepresentation.Expansion.Of(http)))).RequireAuthorization();

        api.MapPost("/actions/addons/resolve", async (HttpContext http, AppService apps, AddOnService addOns, AddOnRepresentation json) =>
        {
            var caller = http.Caller().Account;
            var body = await JsonBody.ReadAsync(http.Request);
            var found = addOns.Resolve(caller, body.RequiredString("addon"), name => AppNamed(apps, caller, name),
                body.OptionalString("app"), body.OptionalString("addon_service"));
            var expand = AddOnRepresentation.Expansion.Of(http);
            return Results.Json(found.Select(a => json.AddOn(a, expand)));
        }).RequireAuthorization();
    }

    private static void MapCatalog(IEndpointRouteBuilder api)
    {
        api.MapGet("/addon-services", (AddOnCatalog catalog, AddOnRepresentation json) =>
            Results.Json(catalog.Services.Select(json.Service)));
        api.MapGet("/addon-services/{service}", (string service, AddOnCatalog catalog, AddOnRepresentation json) =>
            Results.Json(json.Service(catalog.FindService(service))));
        api.MapGet("/addon-services/{service}/plans", (string service, AddOnCatalog catalog, AddOnRepresentation json) =>
            Results.Json(catalog.FindService(service).Plans.Select(json.Plan)));
        api.MapGet("/addon-services/{service}/plans/{plan}", (string service, string plan, AddOnCatalog catalog, AddOnRepresentation json) =>
            Results.Json(json.Plan(catalog.FindPlan(catalog.FindService(service), plan))));
        api.MapGet("/plans/{plan}", (string plan, AddOnCatalog catalog, AddOnRepresentation json) =>
            Results.Json(json.Plan(catalog.FindPlanById(plan) ?? catalog.Resolve(plan))));
    }

    /// <summary>An add-on of the app that the caller may change: the app owns it.</summary>
    private static AddOn Owned(Account caller, App app, string addon, AddOnService addOns)
    {
        var addOn = addOns.FindIn(app, addon);
        if (addOn.AppId != app.Id || addOn.OwnerId != caller.Id)
            throw PlatformException.Invalid($"{addOn.Name} is owned by {addOn.AppName}: change or destroy it there.");
        return addOn;
    }

    /// <summary>The caller's app of that name, or null (resolving then looks at global names only).</summary>
    public static App? AppNamed(AppService apps, Account caller, string name)
    {
        try { return apps.Find(caller, name); }
        catch (PlatformException e) when (e.Kind == ErrorKind.NotFound) { return null; }
    }

    private static string? Nested(JsonBody body, string outer, string inner) =>
        body.Root.TryGetProperty(outer, out var value) && value.ValueKind == JsonValueKind.Object
        && value.TryGetProperty(inner, out var field) && field.ValueKind == JsonValueKind.String && field.GetString() is { Length: > 0 } text
            ? text : null;

    /// <summary>The provider's options (<c>-- --key value</c>): the CLI sends true for a bare flag; all become strings.</summary>
    private static Dictionary<string, string> Options(JsonBody body)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!body.Root.TryGetProperty("config", out var config) || config.ValueKind != JsonValueKind.Object) return options;
        foreach (var option in config.EnumerateObject())
        {
            options[option.Name] = option.Value.ValueKind switch
            {
                JsonValueKind.String => option.Value.GetString()!,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => option.Value.GetRawText(),
                _ => throw JsonBody.WrongType($"config.{option.Name}", "a string", option.Value),
            };
        }
        return options;
    }
}
