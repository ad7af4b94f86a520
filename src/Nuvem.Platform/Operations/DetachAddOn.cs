using Nuvem.Platform.AddOns;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Releases;

namespace Nuvem.Platform.Operations;

/// <summary>
/// Detaching an add-on from an app (<c>heroku addons:detach</c>): the attachment goes and its config vars with it, in
/// a release (<c>Detach NAME (@ref:…)</c>) that restarts the app's dynos. The owning app keeps at least one attachment
/// (Heroku's rule: the add-on is billed there); its last one goes only with the add-on (<c>addons:destroy</c>).
/// </summary>
public sealed class DetachAddOn(AddOnStore store, AddOnReleases releases, AppStore apps)
{
    public Release Run(AddOnAttachment attachment, string userId)
    {
        var addOn = store.Find(attachment.AddOnId) ?? throw AddOnService.AttachmentNotFound();
        var app = apps.ById(attachment.AppId) ?? throw AddOnService.AttachmentNotFound();
        return releases.Release(app, userId, (c, t) =>
        {
            var left = store.AttachmentsOf(c, t, addOn.Id);
            if (attachment.AppId == addOn.AppId && left.Count(a => a.AppId == addOn.AppId) <= 1)
                throw PlatformException.Invalid(
                    $"{attachment.Name} is the last attachment of {addOn.Name} to its owning app {addOn.AppName}. To remove it, destroy the add-on.");
            if (left.All(a => a.Id != attachment.Id)) throw AddOnService.AttachmentNotFound();
            store.DeleteAttachment(c, t, attachment.Id);
            IReadOnlyDictionary<string, string?> removals = AddOnReleases.Removals(attachment.Name, store.ConfigOf(c, t, addOn.Id)).ToDictionary();
            return ($"Detach {attachment.Name} (@ref:{addOn.Name})", removals);
        });
    }
}
