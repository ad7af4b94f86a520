using Nuvem.Platform.AddOns;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Operations;

/// <summary>What <c>POST /apps/{app}/addons</c> asks for.</summary>
/// <param name="Plan"><c>service</c>, <c>service:plan</c> or a plan id.</param>
/// <param name="As">The primary attachment's name (<c>--as</c>), or null for the service's default.</param>
/// <param name="Confirm">The app's name when the user agreed to overwrite config vars or an attachment name.</param>
public sealed record CreateAddOnRequest(string Plan, string? As = null, string? Name = null, string? Confirm = null,
    IReadOnlyDictionary<string, string>? Options = null);

/// <summary>
/// Creating an add-on (<c>heroku addons:create</c>): the add-on is recorded <c>provisioning</c> with its attachment
/// names reserved in the app, and the provider makes the resource in the background. When it is made, the add-on
/// becomes <c>provisioned</c> and ONE release sets its config vars under every attachment name
/// (<c>Attach DATABASE (@ref:postgresql-curved-12345)</c>), runs the release phase and restarts the dynos. When it
/// fails, the add-on is <c>deprovisioned</c> (the CLI's "unable to be created"), its names are freed and the app's log
/// says why. The answer waits a little for the provider, so a fast one answers <c>provisioned</c> at once.
/// </summary>
public sealed class CreateAddOn(Database database, AddOnStore store, AddOnCatalog catalog, AddOnReleases releases, AppStore apps, ILogplex logplex)
{
    /// <summary>How long the request waits for the provider before answering <c>provisioning</c> (Heroku asks providers to
    /// answer within 3 s).</summary>
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromSeconds(3);

    private readonly Random _random = new();

    public async Task<AddOn> RunAsync(App app, string userId, CreateAddOnRequest request)
    {
        var plan = catalog.Resolve(request.Plan);
        if (request.Name is not null) AddOnNames.Validate(request.Name);
        var spec = plan.Service.Spec;
        var options = request.Options ?? new Dictionary<string, string>();
        var confirmed = request.Confirm is not null && request.Confirm == app.Name;
        var appVars = releases.VarsOf(app);
        var id = Guid.NewGuid().ToString();

        database.Write((c, t) =>
        {
            var addOnName = request.Name ?? UnusedName(c, t, spec.NamePrefix);
            if (request.Name is not null && store.NameTaken(c, t, addOnName)) throw PlatformException.Invalid($"The name {addOnName} is already taken.");
            var taken = store.AttachmentNames(c, t, app.Id);
            var names = AttachmentNames.ForCreate(spec, request.As, taken, _random, addOnName);
            foreach (var name in names)
            {
                if (taken.Contains(name))
                {
                    if (!confirmed) throw AddOnService.ConfirmationRequired(
                        $"{app.Name} already has an add-on attached as {name}. To replace that attachment, pass --confirm {app.Name}.");
                    store.DeleteAttachment(c, t, store.AttachmentNamed(c, t, app.Id, name)!.Id);
                }
                else if (AddOnReleases.Overwritten(appVars, name, []) is { } existing && !confirmed)
                {
                    throw AddOnService.ConfirmationRequired(
                        $"This add-on would overwrite the config var {existing} of {app.Name}. To proceed, pass --confirm {app.Name}.");
                }
            }
            store.InsertAddOn(c, t, new AddOn
            {
                Id = id, Name = addOnName, AppId = app.Id, AppName = app.Name, OwnerId = app.OwnerId, Service = spec.Service,
                Plan = plan.Spec.Name, State = AddOnStates.Provisioning, UserId = userId,
            }, options);
            foreach (var name in names) store.InsertAttachment(c, t, id, app.Id, name, @namespace: null);
        });

        var provisioning = Task.Run(() => ProvisionAsync(id));
        await Task.WhenAny(provisioning, Task.Delay(AnswerWithin));
        return store.Find(id) ?? throw AddOnService.AddOnNotFound();
    }

    /// <summary>Has the provider make the resource of an add-on still <c>provisioning</c> (also one a restart interrupted:
    /// providers are idempotent by add-on id), then attaches it.</summary>
    public async Task ProvisionAsync(string addOnId)
    {
        if (store.Find(addOnId) is not { State: AddOnStates.Provisioning } addOn) return;
        ProvisionResult result;
        try
        {
            var provider = catalog.FindService(addOn.Service).Provider;
            result = await provider.ProvisionAsync(
                new ProvisionRequest(addOn.Id, addOn.Name, addOn.AppId, addOn.AppName, addOn.Plan, store.OptionsOf(addOn.Id)), CancellationToken.None);
        }
        catch (Exception e)
        {
            Fail(addOn, e);
            return;
        }

        try
        {
            if (store.Find(addOnId) is not { State: AddOnStates.Provisioning } still || apps.ById(addOn.AppId) is not { } app)
            {
                // Destroyed while the provider worked: what it made has no owner any more.
                await catalog.FindService(addOn.Service).Provider.DeprovisionAsync(result.ProviderId, CancellationToken.None);
                return;
            }
            releases.Release(app, still.UserId, (c, t) =>
            {
                store.SetProvisioned(c, t, addOnId, result);
                var attachments = store.AttachmentsOf(c, t, addOnId).Where(a => a.AppId == app.Id).ToList();
                IReadOnlyDictionary<string, string?> vars = attachments.SelectMany(a => AddOnReleases.Vars(a.Name, result.Config)).ToDictionary();
                return ($"Attach {attachments.FirstOrDefault()?.Name ?? still.Name} (@ref:{still.Name})", vars);
            });
        }
        catch (Exception e)
        {
            // Made but not attached (the app's config refused the vars, say): the resource goes, the add-on is deprovisioned.
            try { await catalog.FindService(addOn.Service).Provider.DeprovisionAsync(result.ProviderId, CancellationToken.None); }
            catch (Exception cleanup) { Console.Error.WriteLine($"nuvemd: removing the resource of add-on {addOn.Name} failed: {cleanup.GetType().Name}: {cleanup.Message}"); }
            if (store.Find(addOnId) is not null) Fail(addOn, e);
        }
    }

    /// <summary>The provider refused or broke: the add-on is deprovisioned (and says so), its names are free again.</summary>
    private void Fail(AddOn addOn, Exception e)
    {
        // A provider's message is meant for the user; anything else is a bug whose text may hold what it was working on.
        var reason = e is PlatformException refusal ? refusal.Message : "the provider failed";
        database.Write((c, t) =>
        {
            store.SetState(c, t, addOn.Id, AddOnStates.Deprovisioned);
            foreach (var attachment in store.AttachmentsOf(c, t, addOn.Id)) store.DeleteAttachment(c, t, attachment.Id);
        });
        logplex.Api(addOn.AppId, $"@ref:{addOn.Name} failed to provision: {reason}");
        Console.Error.WriteLine($"nuvemd: provisioning add-on {addOn.Name} ({addOn.Service}:{addOn.Plan}) failed: {e.GetType().Name}: {e.Message}");
    }

    private string UnusedName(System.Data.IDbConnection c, System.Data.IDbTransaction t, string prefix)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = AddOnNames.Generate(prefix, _random);
            if (!store.NameTaken(c, t, name) || attempt > 50) return name;
        }
    }
}
