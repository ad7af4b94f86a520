using Nuvem.Platform;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.Operations;
using Nuvem.UnitTests.Stores;

namespace Nuvem.UnitTests.AddOns;

/// <summary>A provider in Heroku Postgres' shape that makes nothing: it records its calls, and can be held or made to fail.</summary>
public sealed class FakeAddOnProvider : IAddOnProvider
{
    public AddOnServiceSpec Spec { get; } = new("heroku-postgresql", "Heroku Postgres", "postgresql", "HEROKU_POSTGRESQL", "DATABASE", ColourAliases: true,
    [
        new("essential-0", "Essential 0", "1 GB", IsDefault: true, 500),
        new("essential-1", "Essential 1", "10 GB", IsDefault: false, 900),
    ]);

    public List<string> Calls { get; } = [];
    /// <summary>When set, provisioning waits for it.</summary>
    public TaskCompletionSource? Gate { get; set; }
    public bool Fail { get; set; }
    /// <summary>What the platform's state looked like at each call (to check the order of a destroy).</summary>
    public Func<string>? Observe { get; set; }
    public bool NewCredentialsOnPlanChange { get; set; }

    public async Task<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellation)
    {
        lock (Calls) Calls.Add($"provision {request.AddOnName} {request.Plan} {request.AppName}");
        if (Gate is { } gate) await gate.Task;
        if (Fail) throw PlatformException.Invalid("no room left");
        return new ProvisionResult("res-" + request.AddOnId[..8], new Dictionary<string, string> { ["URL"] = $"postgres://u:secret@db/{request.AddOnName}" }, "Database is ready");
    }

    public Task<IReadOnlyDictionary<string, string>?> ChangePlanAsync(string providerId, string plan, CancellationToken cancellation)
    {
        lock (Calls) Calls.Add($"change {providerId} {plan}");
        return Task.FromResult<IReadOnlyDictionary<string, string>?>(NewCredentialsOnPlanChange
            ? new Dictionary<string, string> { ["URL"] = $"postgres://u:rotated@db/{plan}" } : null);
    }

    public Task DeprovisionAsync(string providerId, CancellationToken cancellation)
    {
        lock (Calls) Calls.Add($"deprovision {providerId}{(Observe is null ? "" : " " + Observe())}");
        return Task.CompletedTask;
    }
}

/// <summary>The add-on framework over a <see cref="TempPlatform"/>, with the fake provider.</summary>
public sealed class AddOnHarness : IDisposable
{
    public TempPlatform P { get; } = new();
    public FakeAddOnProvider Provider { get; } = new();
    public AddOnStore Store { get; }
    public AddOnCatalog Catalog { get; }
    public AddOnService AddOns { get; }
    public AddOnReleases Releases { get; }
    public CreateAddOn Create { get; }
    public DestroyAddOn Destroy { get; }
    public AttachAddOn Attach { get; }
    public DetachAddOn Detach { get; }
    public ChangeAddOnPlan ChangePlan { get; }

    public AddOnHarness()
    {
        Store = new AddOnStore(P.Database);
        Catalog = new AddOnCatalog([Provider]);
        AddOns = new AddOnService(Store);
        Releases = new AddOnReleases(P.Database, P.ConfigVars, P.Releases, P.ReleasePhase, P.Scheduler);
        Create = new CreateAddOn(P.Database, Store, Catalog, Releases, P.AppStore, P.Logplex) { AnswerWithin = TimeSpan.FromSeconds(5) };
        Destroy = new DestroyAddOn(Store, Catalog, Releases, P.AppStore);
        Attach = new AttachAddOn(Store, Catalog, Releases);
        Detach = new DetachAddOn(Store, Releases, P.AppStore);
        ChangePlan = new ChangeAddOnPlan(P.Database, Store, Catalog, Releases, P.AppStore);
    }

    public DestroyApp DestroyApp() => new(P.Apps, P.SlugStore, P.ReleaseStore, new Nuvem.Platform.Builds.BuildStore(P.Database),
        new Nuvem.Platform.Git.AppRepositories(P.Database, Path.Combine(P.DataDir, "repos")), P.Blobs, P.Logplex, P.Domains, P.Scheduler, P.DataDir,
        Store, Destroy);

    /// <summary>Waits until the add-on has left <c>provisioning</c>.</summary>
    public async Task<AddOn> SettledAsync(string id)
    {
        for (var i = 0; i < 200; i++)
        {
            if (Store.Find(id) is { State: not AddOnStates.Provisioning } addOn) return addOn;
            await Task.Delay(25);
        }
        throw new TimeoutException("still provisioning");
    }

    public void Dispose() => P.Dispose();
}
