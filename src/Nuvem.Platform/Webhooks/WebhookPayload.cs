using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Releases;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Webhooks;

/// <summary>The body Heroku POSTs to a webhook (devcenter app-webhooks-schema) and its signature.</summary>
public static class WebhookPayload
{
    public const string Version = "application/vnd.heroku+json; version=3";

    public static JsonObject Body(string eventId, string resource, string action, JsonObject data, string? actorId, string? actorEmail,
        DateTimeOffset at) => new()
    {
        ["id"] = eventId,
        ["created_at"] = Timestamp.Format(at),
        ["updated_at"] = Timestamp.Format(at),
        ["published_at"] = Timestamp.Format(at),
        ["data"] = data,
        ["previous_data"] = new JsonObject(),
        ["actor"] = new JsonObject { ["id"] = actorId, ["email"] = actorEmail },
        ["action"] = action,
        ["resource"] = resource,
        ["version"] = Version,
        ["sequence"] = null,
    };

    /// <summary>A release as <c>GET /apps/{app}/releases/{id}</c> shows it.</summary>
    public static JsonObject Release(Release release) => new()
    {
        ["id"] = release.Id,
        ["version"] = release.Version,
        ["status"] = release.Status,
        ["description"] = release.Description,
        ["current"] = release.Current,
        ["created_at"] = Timestamp.Format(release.CreatedAt),
        ["updated_at"] = Timestamp.Format(release.UpdatedAt),
        ["app"] = new JsonObject { ["id"] = release.AppId, ["name"] = release.AppName },
        ["slug"] = release.SlugId is null ? null : new JsonObject { ["id"] = release.SlugId },
        ["user"] = new JsonObject { ["id"] = release.UserId, ["email"] = release.UserEmail },
        ["addon_plan_names"] = new JsonArray(release.AddonPlanNames.Select(n => (JsonNode?)n).ToArray()),
        ["output_stream_url"] = null,
    };

    /// <summary>A build as <c>GET /apps/{app}/builds/{id}</c> shows it (without its output stream).</summary>
    public static JsonObject Build(Build build, App app) => new()
    {
        ["id"] = build.Id,
        ["status"] = build.Status,
        ["created_at"] = Timestamp.Format(build.CreatedAt),
        ["updated_at"] = Timestamp.Format(build.UpdatedAt),
        ["app"] = new JsonObject { ["id"] = app.Id, ["name"] = app.Name },
        ["source_blob"] = new JsonObject { ["version"] = build.SourceVersion },
        ["slug"] = build.SlugId is null ? null : new JsonObject { ["id"] = build.SlugId },
        ["release"] = build.ReleaseId is null ? null : new JsonObject { ["id"] = build.ReleaseId },
        ["user"] = new JsonObject { ["id"] = build.UserId, ["email"] = build.UserEmail },
        ["output_stream_url"] = null,
    };

    /// <summary><c>Heroku-Webhook-Hmac-SHA256</c>: base64 of HMAC-SHA256 over the exact body bytes, keyed with the secret.</summary>
    public static string Signature(byte[] body, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
