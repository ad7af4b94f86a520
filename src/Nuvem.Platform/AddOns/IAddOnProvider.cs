namespace Nuvem.Platform.AddOns;

/// <summary>One plan of an add-on service, as the catalog shows it (<c>heroku-postgresql:essential-0</c>).</summary>
/// <param name="Name">The plan's slug without the service: <c>essential-0</c>.</param>
/// <param name="PriceCentsPerMonth">What Heroku would bill; shown by the CLI, never charged here.</param>
public sealed record AddOnPlanSpec(string Name, string HumanName, string Description, bool IsDefault, int PriceCentsPerMonth);

/// <summary>
/// How a service's add-ons appear in apps. Config vars are <c>&lt;ATTACHMENT&gt;_&lt;SUFFIX&gt;</c>: the provider
/// exports suffixes (<c>URL</c>), each attachment prefixes them with its own name (<c>DATABASE_URL</c>).
/// </summary>
/// <param name="Service">The service's name: <c>heroku-postgresql</c>.</param>
/// <param name="NamePrefix">Generated add-on names start with it: <c>postgresql</c> → <c>postgresql-curved-12345</c>.</param>
/// <param name="ConfigVarPrefix">The default attachment name, and the prefix of per-add-on aliases
/// (<c>HEROKU_POSTGRESQL</c> → <c>HEROKU_POSTGRESQL_OLIVE</c>).</param>
/// <param name="PrimaryAttachment">The name the app's first add-on of this service is attached as (<c>DATABASE</c>), or
/// null when the service has none.</param>
/// <param name="ColourAliases">Every add-on of the service is also attached as <c>&lt;ConfigVarPrefix&gt;_&lt;COLOUR&gt;</c>, a
/// colour unique in the app (Heroku Postgres' <c>HEROKU_POSTGRESQL_OLIVE_URL</c>).</param>
public sealed record AddOnServiceSpec(
    string Service,
    string HumanName,
    string NamePrefix,
    string ConfigVarPrefix,
    string? PrimaryAttachment,
    bool ColourAliases,
    IReadOnlyList<AddOnPlanSpec> Plans);

/// <summary>What a provider is asked to make: one resource for one add-on (Heroku's partner API "provision").</summary>
/// <param name="AddOnId">The add-on's id: the provider's idempotency key (a retried provision makes nothing twice).</param>
/// <param name="AddOnName">Its globally unique name (<c>postgresql-curved-12345</c>).</param>
/// <param name="Plan">The plan's slug without the service.</param>
/// <param name="Options">The user's <c>-- --key value</c> flags.</param>
public sealed record ProvisionRequest(string AddOnId, string AddOnName, string AppId, string AppName, string Plan,
    IReadOnlyDictionary<string, string> Options);

/// <summary>What the provider made.</summary>
/// <param name="ProviderId">Its own id for the resource; later calls name the resource by it.</param>
/// <param name="Config">The config it exports, by suffix: <c>{"URL": "postgres://…"}</c>.</param>
/// <param name="Message">Shown to the user (<c>provision_message</c>), or null.</param>
public sealed record ProvisionResult(string ProviderId, IReadOnlyDictionary<string, string> Config, string? Message);

/// <summary>
/// A backing service the platform provisions for apps (Heroku's add-on provider). The add-on framework owns names,
/// attachments, config vars, releases and restarts; a provider only makes, changes and removes its resources, on
/// servers the platform runs. Calls are idempotent: the same add-on id never makes two resources.
/// </summary>
public interface IAddOnProvider
{
    AddOnServiceSpec Spec { get; }

    /// <exception cref="PlatformException">The request cannot be served (an unknown option, say): the user sees why.</exception>
    Task<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellation);

    /// <summary>Moves the resource to another plan of the service (limits change; data stays).</summary>
    /// <returns>New config when the change gave new credentials, else null.</returns>
    Task<IReadOnlyDictionary<string, string>?> ChangePlanAsync(string providerId, string plan, CancellationToken cancellation);

    /// <summary>Removes the resource. Removing one that is already gone succeeds.</summary>
    Task DeprovisionAsync(string providerId, CancellationToken cancellation);
}
