using Nuvem.Platform.AddOns;
using Nuvem.Platform.Apps;

namespace Nuvem.Platform.Operations;

/// <summary>
/// Destroying an add-on (<c>heroku addons:destroy</c>), in Heroku's order: it is marked <c>deprovisioning</c>; every
/// attachment goes, each app losing the add-on's config vars in one release (<c>Detach DATABASE (@ref:…)</c>) that
/// restarts its dynos; then the provider removes the resource; then the record goes (a 404 afterwards, as on Heroku).
/// A provider that fails leaves the add-on <c>deprovisioning</c> and detached, and a later destroy (or the next start)
/// finishes it.
/// </summary>
public sealed class DestroyAddOn(AddOnStore store, AddOnCatalog catalog, AddOnReleases releases, AppStore apps)
{
    /// <param name="force">Destroy also when other apps than the owner are attached (the CLI's <c>--force</c>).</param>
    /// <param name="dyingAppId">An app being destroyed with its add-ons: it gets no release of its own.</param>
    /// <returns>The add-on as it was, <c>deprovisioned</c>.</returns>
    public async Task<AddOn> RunAsync(AddOn addOn, string? userId, bool force, string? dyingAppId = null)
    {
        var attachments = store.AttachmentsOf(addOn.Id);
        var others = attachments.Where(a => a.AppId != addOn.AppId && a.AppId != dyingAppId).Select(a => a.AppName).Distinct().ToList();
        if (!force && others.Count > 0)
            throw PlatformException.Invalid($"{addOn.Name} is attached to other apps ({string.Join(", ", others)}): detach it from them first, or pass --force.");

        var everProvisioned = addOn.State is AddOnStates.Provisioned or AddOnStates.Deprovisioning;
        store.SetState(addOn.Id, AddOnStates.Deprovisioning);
        foreach (var group in attachments.GroupBy(a => a.AppId))
        {
            // Names reserved by an add-on that never got its config set nothing in the app: they go without a release.
            if (!everProvisioned) { store.DeleteAttachments(group.Select(a => a.Id)); continue; }
            var names = group.Select(a => a.Name).ToList();
            if (group.Key == dyingAppId || apps.ById(group.Key) is not { } app) continue; // its rows go with the app
            releases.Release(app, userId, (c, t) =>
            {
                var config = store.ConfigOf(c, t, addOn.Id);
                foreach (var attachment in group) store.DeleteAttachment(c, t, attachment.Id);
                IReadOnlyDictionary<string, string?> removals = group.SelectMany(a => AddOnReleases.Removals(a.Name, config)).ToDictionary();
                return ($"Detach {string.Join(", ", names)} (@ref:{addOn.Name})", removals);
            });
        }
        await FinishAsync(addOn);
        return addOn with { State = AddOnStates.Deprovisioned, UpdatedAt = DateTimeOffset.UtcNow };
    }

    /// <summary>The provider's part and the record's removal, for a detached add-on (also one a restart interrupted).</summary>
    public async Task FinishAsync(AddOn addOn)
    {
        if (addOn.ProviderId is { } providerId)
        {
            if (catalog.ServiceOf(addOn) is not { } service)
                throw PlatformException.Invalid($"{addOn.Name} cannot be deprovisioned: this platform no longer offers {addOn.Service}.");
            try
            {
                await service.Provider.DeprovisionAsync(providerId, CancellationToken.None);
            }
            catch (Exception e) when (e is not PlatformException)
            {
                Console.Error.WriteLine($"nuvemd: deprovisioning add-on {addOn.Name} failed: {e.GetType().Name}: {e.Message}");
                throw PlatformException.Invalid($"{addOn.Name} is detached, but its resource could not be removed yet. Try again.");
            }
        }
        store.Delete(addOn.Id);
    }
}
