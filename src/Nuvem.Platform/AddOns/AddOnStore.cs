using System.Data;
using System.Text.Json;
using Dapper;
using Nuvem.Platform.State;

namespace Nuvem.Platform.AddOns;

/// <summary>The <c>addons</c> and <c>addon_attachments</c> tables' owner: every statement about add-ons is written here.</summary>
public sealed class AddOnStore(Database database)
{
    private const string SelectAddOn = """
        SELECT d.id, d.name, d.app_id, a.name AS app_name, a.owner_id, d.service, d.plan, d.state, d.provider_id,
               d.config AS config_json, d.provision_message, d.options AS options_json, d.user_id, d.created_at, d.updated_at
        FROM addons d JOIN apps a ON a.id = d.app_id
        """;

    private const string SelectAttachment = """
        SELECT t.id, t.addon_id, t.app_id, a.name AS app_name, a.owner_id AS app_owner_id, t.name, t.namespace, t.created_at, t.updated_at
        FROM addon_attachments t JOIN apps a ON a.id = t.app_id
        """;

    public AddOn? Find(string idOrName) =>
        database.Read(c => c.QuerySingleOrDefault<AddOnRow>($"{SelectAddOn} WHERE d.id = @idOrName OR d.name = @idOrName", new { idOrName }))?.ToAddOn();

    /// <summary>Add-ons whose owning app is the user's, or that are attached to one of the user's apps.</summary>
    public IReadOnlyList<AddOn> VisibleTo(string userId) => Query($"""
        {SelectAddOn} WHERE a.owner_id = @userId
           OR d.id IN (SELECT t.addon_id FROM addon_attachments t JOIN apps b ON b.id = t.app_id WHERE b.owner_id = @userId)
        ORDER BY d.name
        """, new { userId });

    /// <summary>Add-ons the app owns or is attached to (Heroku's <c>GET /apps/{app}/addons</c>).</summary>
    public IReadOnlyList<AddOn> ForApp(string appId) => Query(
        $"{SelectAddOn} WHERE d.app_id = @appId OR d.id IN (SELECT addon_id FROM addon_attachments WHERE app_id = @appId) ORDER BY d.name",
        new { appId });

    public IReadOnlyList<AddOn> OwnedBy(string appId) => Query($"{SelectAddOn} WHERE d.app_id = @appId ORDER BY d.name", new { appId });

    public IReadOnlyList<AddOn> InState(string state) => Query($"{SelectAddOn} WHERE d.state = @state ORDER BY d.created_at", new { state });

    /// <summary>The options the create was given (the provider's <c>-- --key value</c> flags), for a resumed provisioning.</summary>
    public IReadOnlyDictionary<string, string> OptionsOf(string addOnId) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(
            database.Read(c => c.ExecuteScalar<string>("SELECT options FROM addons WHERE id = @addOnId", new { addOnId })) ?? "{}") ?? [];

    private IReadOnlyList<AddOn> Query(string sql, object parameters) =>
        database.Read(c => c.Query<AddOnRow>(sql, parameters).Select(r => r.ToAddOn()).AsList());

    public void InsertAddOn(IDbConnection c, IDbTransaction t, AddOn addOn, IReadOnlyDictionary<string, string> options)
    {
        var now = Timestamp.Now();
        c.Execute("""
            INSERT INTO addons (id, name, app_id, service, plan, state, config, options, user_id, created_at, updated_at)
            VALUES (@Id, @Name, @AppId, @Service, @Plan, @State, '{}', @options, @UserId, @now, @now)
            """, new { addOn.Id, addOn.Name, addOn.AppId, addOn.Service, addOn.Plan, addOn.State, addOn.UserId, options = JsonSerializer.Serialize(options), now }, t);
    }

    /// <summary>Whether a name is used by any add-on (names are global, across every user).</summary>
    public bool NameTaken(IDbConnection c, IDbTransaction t, string name) =>
        c.ExecuteScalar<long>("SELECT COUNT(*) FROM addons WHERE name = @name", new { name }, t) > 0;

    public void SetState(string id, string state) => database.Write((c, t) => SetState(c, t, id, state));

    public void SetState(IDbConnection c, IDbTransaction t, string id, string state) =>
        c.Execute("UPDATE addons SET state = @state, updated_at = @now WHERE id = @id", new { state, now = Timestamp.Now(), id }, t);

    public void SetProvisioned(IDbConnection c, IDbTransaction t, string id, ProvisionResult result) =>
        c.Execute("""
            UPDATE addons SET state = @state, provider_id = @ProviderId, config = @config, provision_message = @Message, updated_at = @now
            WHERE id = @id
            """, new { state = AddOnStates.Provisioned, result.ProviderId, config = JsonSerializer.Serialize(result.Config), result.Message, now = Timestamp.Now(), id }, t);

    public void SetPlan(IDbConnection c, IDbTransaction t, string id, string plan, IReadOnlyDictionary<string, string>? config) =>
        c.Execute(config is null
                ? "UPDATE addons SET plan = @plan, updated_at = @now WHERE id = @id"
                : "UPDATE addons SET plan = @plan, config = @configJson, updated_at = @now WHERE id = @id",
            new { plan, configJson = config is null ? null : JsonSerializer.Serialize(config), now = Timestamp.Now(), id }, t);

    /// <summary>Renames; a taken name throws SQLite's constraint error.</summary>
    public void Rename(string id, string name) =>
        database.Write((c, t) => c.Execute("UPDATE addons SET name = @name, updated_at = @now WHERE id = @id", new { name, now = Timestamp.Now(), id }, t));

    /// <summary>Deletes the add-on's row; its attachments go with it.</summary>
    public void Delete(string id) => database.Write((c, t) => c.Execute("DELETE FROM addons WHERE id = @id", new { id }, t));

    public AddOnAttachment? Attachment(string id) =>
        database.Read(c => c.QuerySingleOrDefault<AddOnAttachment>($"{SelectAttachment} WHERE t.id = @id", new { id }));

    /// <summary>The app's attachment with this id or name, or null.</summary>
    public AddOnAttachment? AttachmentIn(string appId, string idOrName) =>
        database.Read(c => c.QuerySingleOrDefault<AddOnAttachment>(
            $"{SelectAttachment} WHERE t.app_id = @appId AND (t.id = @idOrName OR t.name = @idOrName)", new { appId, idOrName }));

    public IReadOnlyList<AddOnAttachment> AttachmentsOf(string addOnId) =>
        database.Read(c => c.Query<AddOnAttachment>($"{SelectAttachment} WHERE t.addon_id = @addOnId ORDER BY a.name, t.name", new { addOnId }).AsList());

    /// <summary>In the order they were made (an add-on's primary name before its colour alias).</summary>
    public IReadOnlyList<AddOnAttachment> AttachmentsOf(IDbConnection c, IDbTransaction t, string addOnId) =>
        c.Query<AddOnAttachment>($"{SelectAttachment} WHERE t.addon_id = @addOnId ORDER BY t.rowid", new { addOnId }, t).AsList();

    public IReadOnlyList<AddOnAttachment> AttachmentsIn(string appId) =>
        database.Read(c => c.Query<AddOnAttachment>($"{SelectAttachment} WHERE t.app_id = @appId ORDER BY t.name", new { appId }).AsList());

    /// <summary>Attachments to the user's apps, or of add-ons their apps own.</summary>
    public IReadOnlyList<AddOnAttachment> AttachmentsVisibleTo(string userId) =>
        database.Read(c => c.Query<AddOnAttachment>($"""
            {SelectAttachment} WHERE a.owner_id = @userId
               OR t.addon_id IN (SELECT d.id FROM addons d JOIN apps o ON o.id = d.app_id WHERE o.owner_id = @userId)
            ORDER BY a.name, t.name
            """, new { userId }).AsList());

    public IReadOnlySet<string> AttachmentNames(IDbConnection c, IDbTransaction t, string appId) =>
        c.Query<string>("SELECT name FROM addon_attachments WHERE app_id = @appId", new { appId }, t).ToHashSet(StringComparer.Ordinal);

    public IReadOnlySet<string> AttachmentNames(string appId) =>
        database.Read(c => c.Query<string>("SELECT name FROM addon_attachments WHERE app_id = @appId", new { appId }).ToHashSet(StringComparer.Ordinal));

    /// <summary>The attachment with this name in the app, in the caller's transaction, or null.</summary>
    public AddOnAttachment? AttachmentNamed(IDbConnection c, IDbTransaction t, string appId, string name) =>
        c.QuerySingleOrDefault<AddOnAttachment>($"{SelectAttachment} WHERE t.app_id = @appId AND t.name = @name", new { appId, name }, t);

    public string InsertAttachment(IDbConnection c, IDbTransaction t, string addOnId, string appId, string name, string? @namespace)
    {
        var id = Guid.NewGuid().ToString();
        var now = Timestamp.Now();
        c.Execute("""
            INSERT INTO addon_attachments (id, addon_id, app_id, name, namespace, created_at, updated_at)
            VALUES (@id, @addOnId, @appId, @name, @namespace, @now, @now)
            """, new { id, addOnId, appId, name, @namespace, now }, t);
        return id;
    }

    public void DeleteAttachments(IEnumerable<string> ids) =>
        database.Write((c, t) => { foreach (var id in ids) DeleteAttachment(c, t, id); });

    public void DeleteAttachment(IDbConnection c, IDbTransaction t, string id) =>
        c.Execute("DELETE FROM addon_attachments WHERE id = @id", new { id }, t);

    /// <summary>The add-on's provider config (by suffix) as it is now, inside the caller's transaction.</summary>
    public IReadOnlyDictionary<string, string> ConfigOf(IDbConnection c, IDbTransaction t, string addOnId) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(
            c.ExecuteScalar<string>("SELECT config FROM addons WHERE id = @addOnId", new { addOnId }, t) ?? "{}") ?? [];

    private sealed record AddOnRow
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public string AppId { get; init; } = "";
        public string AppName { get; init; } = "";
        public string OwnerId { get; init; } = "";
        public string Service { get; init; } = "";
        public string Plan { get; init; } = "";
        public string State { get; init; } = "";
        public string? ProviderId { get; init; }
        public string ConfigJson { get; init; } = "{}";
        public string? ProvisionMessage { get; init; }
        public string OptionsJson { get; init; } = "{}";
        public string? UserId { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public AddOn ToAddOn() => new()
        {
            Id = Id, Name = Name, AppId = AppId, AppName = AppName, OwnerId = OwnerId, Service = Service, Plan = Plan, State = State,
            ProviderId = ProviderId, Config = JsonSerializer.Deserialize<Dictionary<string, string>>(ConfigJson) ?? [],
            ProvisionMessage = ProvisionMessage, UserId = UserId, CreatedAt = CreatedAt, UpdatedAt = UpdatedAt,
        };
    }
}
