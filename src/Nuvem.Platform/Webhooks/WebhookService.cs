using System.Text.Json;
using Nuvem.Platform.Apps;

namespace Nuvem.Platform.Webhooks;

/// <summary>
/// An app's webhooks: added, listed, changed and removed (at most <see cref="MaxPerApp"/>, as Heroku). The URL is
/// http or https; loopback and private addresses are allowed (a self-hosted platform's receivers are often on the
/// same host or network, and the tests use loopback), since a delivery shows the tenant only the response's status
/// code, never its body, and redirects are not followed.
/// </summary>
public sealed class WebhookService(WebhookStore store)
{
    public const int MaxPerApp = 10;

    /// <summary>Heroku's webhook entities; this platform emits <c>api:release</c> and <c>api:build</c>.</summary>
    public static readonly IReadOnlySet<string> Entities = new HashSet<string>(StringComparer.Ordinal)
    {
        "api:addon-attachment", "api:addon", "api:app", "api:build", "api:collaborator", "api:domain",
        "api:dyno", "api:formation", "api:release", "api:sni-endpoint", "dyno",
    };

    public IReadOnlyList<Webhook> List(App app) => store.List(app.Id);

    public Webhook Find(App app, string id) =>
        store.Find(app.Id, id.Trim()) ?? throw PlatformException.NotFound("webhook", $"Couldn't find that webhook ({id}) on {app.Name}.");

    /// <summary>Adds a webhook; without a secret, one is made (as Heroku, which returns it once in
    /// <c>Heroku-Webhook-Secret</c>), so every delivery is signed.</summary>
    public Webhook Add(App app, IReadOnlyList<string>? include, string? level, string? url, string? secret, string? authorization)
    {
        if (store.List(app.Id).Count >= MaxPerApp)
            throw PlatformException.Invalid($"{app.Name} already has {MaxPerApp} webhooks, the most an app can have. Remove one first.");
        var now = DateTimeOffset.UtcNow;
        var hook = new Webhook
        {
            Id = Guid.NewGuid().ToString(), AppId = app.Id, Url = ValidUrl(url), Level = ValidLevel(level),
            IncludeJson = JsonSerializer.Serialize(ValidInclude(include)), Secret = Optional(secret, "secret") ?? NewSecret(),
            AuthorizationHeader = Optional(authorization, "authorization"), CreatedAt = now, UpdatedAt = now,
        };
        store.Insert(hook);
        return Find(app, hook.Id);
    }

    /// <summary>Changes what is given; an empty secret or authorization removes it.</summary>
    public Webhook Update(App app, string id, IReadOnlyList<string>? include, string? level, string? url, string? secret, string? authorization)
    {
        var hook = Find(app, id);
        store.Update(hook with
        {
            Url = url is null ? hook.Url : ValidUrl(url),
            Level = level is null ? hook.Level : ValidLevel(level),
            IncludeJson = include is null ? hook.IncludeJson : JsonSerializer.Serialize(ValidInclude(include)),
            Secret = secret is null ? hook.Secret : Optional(secret, "secret"),
            AuthorizationHeader = authorization is null ? hook.AuthorizationHeader : Optional(authorization, "authorization"),
            UpdatedAt = DateTimeOffset.UtcNow,
        });
        return Find(app, hook.Id);
    }

    public Webhook Remove(App app, string id)
    {
        var hook = Find(app, id);
        store.Delete(hook.Id);
        return hook;
    }

    public IReadOnlyList<WebhookDelivery> Deliveries(App app) => store.Deliveries(app.Id);

    public WebhookDelivery Delivery(App app, string id) =>
        store.FindDelivery(app.Id, id.Trim()) ?? throw PlatformException.NotFound("webhook_delivery", $"Couldn't find that webhook delivery ({id}).");

    public IReadOnlyList<WebhookEvent> Events(App app) => store.Events(app.Id);

    public WebhookEvent Event(App app, string id) =>
        store.FindEvent(app.Id, id.Trim()) ?? throw PlatformException.NotFound("webhook_event", $"Couldn't find that webhook event ({id}).");

    private static string NewSecret() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    internal static string ValidUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) throw PlatformException.Invalid("url is required.");
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host) || url.Length > 2048)
            throw PlatformException.Invalid("url must be an http:// or https:// URL.");
        if (uri.UserInfo.Length > 0) throw PlatformException.Invalid("url must not carry credentials; use authorization.");
        return uri.AbsoluteUri;
    }

    private static string ValidLevel(string? level) => level?.Trim() switch
    {
        "notify" => "notify",
        "sync" => "sync",
        _ => throw PlatformException.Invalid("level must be notify or sync."),
    };

    private static List<string> ValidInclude(IReadOnlyList<string>? include)
    {
        var entities = (include ?? []).Select(i => i.Trim()).Where(i => i.Length > 0).Distinct().ToList();
        if (entities.Count == 0) throw PlatformException.Invalid("include must name at least one entity (api:release, api:build…).");
        if (entities.FirstOrDefault(e => !Entities.Contains(e)) is { } unknown)
            throw PlatformException.Invalid($"{unknown} is not a webhook entity; use one of {string.Join(", ", Entities.Order())}.");
        return entities;
    }

    private static string? Optional(string? value, string name)
    {
        if (string.IsNullOrEmpty(value)) return null;
        if (value.Length > 1024 || value.Any(char.IsControl)) throw PlatformException.Invalid($"{name} must be at most 1024 printable characters.");
        return value;
    }
}
