namespace Nuvem.Platform.AddOns;

/// <summary>Heroku's add-on states (the CLI polls while <c>provisioning</c>; <c>deprovisioned</c> after a create means it failed).</summary>
public static class AddOnStates
{
    public const string Provisioning = "provisioning";
    public const string Provisioned = "provisioned";
    public const string Deprovisioning = "deprovisioning";
    public const string Deprovisioned = "deprovisioned";
}

/// <summary>
/// One provisioned instance of a service's plan, owned (billed) by one app, with a globally unique name. Its exported
/// config is kept by suffix; the apps it is attached to see it as <c>&lt;ATTACHMENT&gt;_&lt;SUFFIX&gt;</c>.
/// </summary>
public sealed record AddOn
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string AppId { get; init; }
    public required string AppName { get; init; }
    /// <summary>The owning app's owner: who may change or destroy the add-on.</summary>
    public required string OwnerId { get; init; }
    public required string Service { get; init; }
    /// <summary>The plan's slug without the service (<c>essential-0</c>).</summary>
    public required string Plan { get; init; }
    public required string State { get; init; }
    public string? ProviderId { get; init; }
    /// <summary>The provider's config by suffix. Secrets: never logged, never shown but as the apps' config vars.</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();
    public string? ProvisionMessage { get; init; }
    public string? UserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary><c>heroku-postgresql:essential-0</c>.</summary>
    public string PlanName => $"{Service}:{Plan}";

    /// <summary>The config var names it sets in an app where it is attached as <paramref name="attachment"/>.</summary>
    public IReadOnlyList<string> ConfigVarNames(string attachment) =>
        Config.Keys.Order(StringComparer.Ordinal).Select(suffix => AttachmentNames.ConfigVar(attachment, suffix)).ToList();
}

/// <summary>An add-on's link to an app: its name (unique in the app) prefixes the add-on's config vars there.</summary>
public sealed record AddOnAttachment
{
    public required string Id { get; init; }
    public required string AddOnId { get; init; }
    public required string AppId { get; init; }
    public required string AppName { get; init; }
    /// <summary>The attached app's owner.</summary>
    public string AppOwnerId { get; init; } = "";
    public required string Name { get; init; }
    public string? Namespace { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
