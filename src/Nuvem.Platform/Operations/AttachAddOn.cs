using Nuvem.Platform.AddOns;
using Nuvem.Platform.Apps;

namespace Nuvem.Platform.Operations;

/// <summary>
/// Attaching an existing add-on to an app (<c>heroku addons:attach</c>): a new attachment whose name prefixes the
/// add-on's config vars there, set in a release (<c>Attach NAME (@ref:…)</c>) that restarts the app's dynos. A name
/// already used in the app, or a config var it would overwrite, needs the user's confirmation (the app's name).
/// </summary>
public sealed class AttachAddOn(AddOnStore store, AddOnCatalog catalog, AddOnReleases releases)
{
    private readonly Random _random = new();

    public AddOnAttachment Run(AddOn addOn, App app, string userId, string? name, string? @namespace, string? confirm)
    {
        if (addOn.State != AddOnStates.Provisioned)
            throw PlatformException.Invalid($"{addOn.Name} is {addOn.State}: it can be attached once it is provisioned.");
        var spec = catalog.ServiceOf(addOn)?.Spec ?? throw PlatformException.Invalid($"This platform no longer offers {addOn.Service}.");
        var confirmed = confirm is not null && confirm == app.Name;
        var appVars = releases.VarsOf(app);
        string? id = null;
        var chosen = name is null ? null : AttachmentNames.Normalise(name);
        releases.Release(app, userId, (c, t) =>
        {
            var taken = store.AttachmentNames(c, t, app.Id);
            var attachment = chosen ?? AttachmentNames.ForAttach(spec, taken, _random);
            var changes = new Dictionary<string, string?>();
            if (store.AttachmentNamed(c, t, app.Id, attachment) is { } existing)
            {
                if (!confirmed) throw AddOnService.ConfirmationRequired(
                    $"{app.Name} already has an add-on attached as {attachment}. To replace that attachment, pass --confirm {app.Name}.");
                foreach (var (key, value) in AddOnReleases.Removals(attachment, store.ConfigOf(c, t, existing.AddOnId))) changes[key] = value;
                store.DeleteAttachment(c, t, existing.Id);
            }
            else if (AddOnReleases.Overwritten(appVars, attachment, addOn.Config.Keys) is { } overwritten && !confirmed)
            {
                throw AddOnService.ConfirmationRequired(
                    $"Attaching {addOn.Name} as {attachment} would overwrite the config var {overwritten} of {app.Name}. To proceed, pass --confirm {app.Name}.");
            }
            id = store.InsertAttachment(c, t, addOn.Id, app.Id, attachment, @namespace);
            foreach (var (key, value) in AddOnReleases.Vars(attachment, store.ConfigOf(c, t, addOn.Id))) changes[key] = value;
            return ($"Attach {attachment} (@ref:{addOn.Name})", changes);
        });
        return store.Attachment(id!)!;
    }
}
