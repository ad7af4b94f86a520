using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Webhooks;

/// <summary>The <c>webhooks</c>, <c>webhook_events</c> and <c>webhook_deliveries</c> tables' owner.</summary>
public sealed class WebhookStore(Database database)
{
    private const string HookColumns =
        "id, app_id, url, level, include_json, secret, authorization_header, created_at, updated_at";
    private const string DeliveryColumns =
        "id, app_id, webhook_id, event_id, status, num_attempts, next_attempt_at, last_code, last_error, last_attempt_at, created_at, updated_at";

    public IReadOnlyList<Webhook> List(string appId) =>
        database.Read(c => c.Query<Webhook>($"SELECT {HookColumns} FROM webhooks WHERE app_id = @appId ORDER BY created_at, id", new { appId }).AsList());

    public Webhook? Find(string appId, string id) =>
        database.Read(c => c.QuerySingleOrDefault<Webhook>($"SELECT {HookColumns} FROM webhooks WHERE app_id = @appId AND id = @id", new { appId, id }));

    public void Insert(Webhook hook) => database.Write((c, t) => c.Execute(
        "INSERT INTO webhooks (id, app_id, url, level, include_json, secret, authorization_header, created_at, updated_at) " +
        "VALUES (@Id, @AppId, @Url, @Level, @IncludeJson, @Secret, @AuthorizationHeader, @CreatedAt, @UpdatedAt)", hook, t));

    public void Update(Webhook hook) => database.Write((c, t) => c.Execute(
        "UPDATE webhooks SET url = @Url, level = @Level, include_json = @IncludeJson, secret = @Secret, " +
        "authorization_header = @AuthorizationHeader, updated_at = @UpdatedAt WHERE id = @Id", hook, t));

    public void Delete(string id) => database.Write((c, t) => c.Execute("DELETE FROM webhooks WHERE id = @id", new { id }, t));

    /// <summary>Records an event and one pending delivery of it per webhook, in one transaction.</summary>
    public void InsertEvent(WebhookEvent e, IEnumerable<WebhookDelivery> deliveries) => database.Write((c, t) =>
    {
        c.Execute("INSERT INTO webhook_events (id, app_id, include, payload_json, created_at) VALUES (@Id, @AppId, @Include, @PayloadJson, @CreatedAt)", e, t);
        foreach (var d in deliveries)
            c.Execute($"INSERT INTO webhook_deliveries ({DeliveryColumns}) VALUES (@Id, @AppId, @WebhookId, @EventId, @Status, @NumAttempts, " +
                      "@NextAttemptAt, @LastCode, @LastError, @LastAttemptAt, @CreatedAt, @UpdatedAt)", d, t);
    });

    public IReadOnlyList<WebhookEvent> Events(string appId) => database.Read(c => c.Query<WebhookEvent>(
        "SELECT id, app_id, include, payload_json, created_at FROM webhook_events WHERE app_id = @appId ORDER BY created_at, id", new { appId }).AsList());

    public WebhookEvent? FindEvent(string appId, string id) => database.Read(c => c.QuerySingleOrDefault<WebhookEvent>(
        "SELECT id, app_id, include, payload_json, created_at FROM webhook_events WHERE app_id = @appId AND id = @id", new { appId, id }));

    public IReadOnlyList<WebhookDelivery> Deliveries(string appId) => database.Read(c => c.Query<WebhookDelivery>(
        $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE app_id = @appId ORDER BY created_at, id", new { appId }).AsList());

    public WebhookDelivery? FindDelivery(string appId, string id) => database.Read(c => c.QuerySingleOrDefault<WebhookDelivery>(
        $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE app_id = @appId AND id = @id", new { appId, id }));

    /// <summary>Deliveries not finished (pending, retrying): what a restarted platform resumes.</summary>
    public IReadOnlyList<WebhookDelivery> Unfinished() => database.Read(c => c.Query<WebhookDelivery>(
        $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE status IN ('pending', 'scheduled', 'retrying') ORDER BY created_at").AsList());

    public void RecordAttempt(string id, string status, long attempts, long? code, string? error, DateTimeOffset? next) => database.Write((c, t) =>
    {
        var now = Timestamp.Now();
        c.Execute("UPDATE webhook_deliveries SET status = @status, num_attempts = @attempts, last_code = @code, last_error = @error, " +
                  "last_attempt_at = @now, next_attempt_at = @next, updated_at = @now WHERE id = @id",
            new { id, status, attempts, code, error, now, next }, t);
    });
}
