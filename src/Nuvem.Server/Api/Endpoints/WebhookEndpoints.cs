using System.Text.Json;
using System.Text.Json.Nodes;
using Nuvem.Platform.Apps;
using Nuvem.Platform.State;
using Nuvem.Platform.Webhooks;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;

namespace Nuvem.Server.Api.Endpoints;

/// <summary><c>/apps/{app}/webhooks</c>, <c>/webhook-deliveries</c>, <c>/webhook-events</c> (Heroku's app webhooks; the
/// CLI asks with <c>Accept: …version=3.webhooks</c>). The secret and Authorization header are never shown back.</summary>
public static class WebhookEndpoints
{
    public static void MapWebhooks(this IEndpointRouteBuilder api)
    {
        var hooks = api.MapGroup("/apps/{app}/webhooks").RequireAuthorization();
        var hookFields = new RangeFields<Webhook>("id", h => h.Id).And("created_at", h => Timestamp.Format(h.CreatedAt));

        hooks.MapGet("", (HttpContext http, string app, AppService apps, WebhookService webhooks) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Pagination.Page(http, webhooks.List(target), hookFields, h => Hook(h, target));
        });
        hooks.MapPost("", async (HttpContext http, string app, AppService apps, WebhookService webhooks) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var body = await JsonBody.ReadAsync(http.Request);
            var given = body.OptionalString("secret");
            var hook = webhooks.Add(target, Include(body), body.OptionalString("level"), body.OptionalString("url"),
                given, body.OptionalString("authorization"));
            if (string.IsNullOrEmpty(given)) http.Response.Headers["Heroku-Webhook-Secret"] = hook.Secret; // shown this once
            return Results.Json(Hook(hook, target), statusCode: StatusCodes.Status201Created);
        });
        hooks.MapGet("/{id}", (HttpContext http, string app, string id, AppService apps, WebhookService webhooks) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(Hook(webhooks.Find(target, id), target));
        });
        hooks.MapPatch("/{id}", async (HttpContext http, string app, string id, AppService apps, WebhookService webhooks) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var body = await JsonBody.ReadAsync(http.Request);
            var hook = webhooks.Update(target, id, Include(body), body.OptionalString("level"), body.OptionalString("url"),
                body.OptionalString("secret"), body.OptionalString("authorization"));
            return Results.Json(Hook(hook, target));
        });
        hooks.MapDelete("/{id}", (HttpContext http, string app, string id, AppService apps, WebhookService webhooks) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(Hook(webhooks.Remove(target, id), target));
        });

        var deliveryFields = new RangeFields<WebhookDelivery>("id", d => d.Id).And("created_at", d => Timestamp.Format(d.CreatedAt))
            .And("seq", d => Timestamp.Format(d.CreatedAt) + d.Id);
        api.MapGet("/apps/{app}/webhook-deliveries", (HttpContext http, string app, AppService apps, WebhookService webhooks) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var levels = webhooks.List(target).ToDictionary(h => h.Id, h => h.Level);
            var status = http.Request.Query["eq[status]"].ToString(); // webhooks:deliveries --status
            var deliveries = webhooks.Deliveries(target).Where(d => status.Length == 0 || d.Status == status);
            return Pagination.Page(http, deliveries, deliveryFields, d => Delivery(d, webhooks.Event(target, d.EventId), levels));
        }).RequireAuthorization();
        api.MapGet("/apps/{app}/webhook-deliveries/{id}", (HttpContext http, string app, string id, AppService apps, WebhookService webhooks) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            var delivery = webhooks.Delivery(target, id);
            return Results.Json(Delivery(delivery, webhooks.Event(target, delivery.EventId), webhooks.List(target).ToDictionary(h => h.Id, h => h.Level)));
        }).RequireAuthorization();

        var eventFields = new RangeFields<WebhookEvent>("id", e => e.Id).And("created_at", e => Timestamp.Format(e.CreatedAt))
            .And("seq", e => Timestamp.Format(e.CreatedAt) + e.Id);
        api.MapGet("/apps/{app}/webhook-events", (HttpContext http, string app, AppService apps, WebhookService webhooks) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Pagination.Page(http, webhooks.Events(target), eventFields, Event);
        }).RequireAuthorization();
        api.MapGet("/apps/{app}/webhook-events/{id}", (HttpContext http, string app, string id, AppService apps, WebhookService webhooks) =>
        {
            var target = apps.Find(http.Caller().Account, app);
            return Results.Json(Event(webhooks.Event(target, id)));
        }).RequireAuthorization();
    }

    private static List<string>? Include(JsonBody body)
    {
        if (!body.Root.TryGetProperty("include", out var include) || include.ValueKind == JsonValueKind.Null) return null;
        if (include.ValueKind == JsonValueKind.String) return include.GetString()!.Split(',').ToList(); // the CLI's -i a,b as given
        if (include.ValueKind != JsonValueKind.Array || include.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw JsonBody.WrongType("include", "an array of strings", include);
        return include.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private static object Hook(Webhook h, App app) => new
    {
        id = h.Id,
        app = new { id = app.Id, name = app.Name },
        created_at = h.CreatedAt,
        updated_at = h.UpdatedAt,
        include = h.Include,
        level = h.Level,
        url = h.Url,
    };

    private static object Delivery(WebhookDelivery d, WebhookEvent e, IReadOnlyDictionary<string, string> levels) => new
    {
        id = d.Id,
        created_at = d.CreatedAt,
        updated_at = d.UpdatedAt,
        @event = new { id = e.Id, include = e.Include },
        webhook = new { id = d.WebhookId, level = levels.GetValueOrDefault(d.WebhookId) },
        status = d.Status,
        num_attempts = d.NumAttempts,
        next_attempt_at = d.NextAttemptAt,
        last_attempt = d.LastAttemptAt is null ? null : new
        {
            id = d.Id + "-" + d.NumAttempts,
            code = d.LastCode,
            error_class = d.LastError,
            status = d.Status == DeliveryStatus.Succeeded ? "succeeded" : "failed",
            created_at = d.LastAttemptAt,
            updated_at = d.LastAttemptAt,
        },
    };

    private static object Event(WebhookEvent e) => new
    {
        id = e.Id,
        created_at = e.CreatedAt,
        updated_at = e.CreatedAt,
        include = e.Include,
        payload = JsonNode.Parse(e.PayloadJson) is JsonObject p
            ? new JsonObject { ["action"] = p["action"]?.DeepClone(), ["actor"] = p["actor"]?.DeepClone(), ["data"] = p["data"]?.DeepClone(),
                ["previous_data"] = p["previous_data"]?.DeepClone(), ["resource"] = p["resource"]?.DeepClone(), ["version"] = p["version"]?.DeepClone() }
            : null,
    };
}
