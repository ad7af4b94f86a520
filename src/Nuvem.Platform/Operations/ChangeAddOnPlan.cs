using Nuvem.Platform.AddOns;
using Nuvem.Platform.Apps;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Operations;

/// <summary>
/// Moving an add-on to another plan of its service (<c>heroku addons:upgrade</c>/<c>downgrade</c>): the provider changes
/// the resource's limits, keeping its data. When that gave new credentials, every app it is attached to gets them in a
/// release (<c>Update DATABASE (@ref:…)</c>) that restarts its dynos.
/// </summary>
public sealed class ChangeAddOnPlan(Database database, AddOnStore store, AddOnCatalog catalog, AddOnReleases releases, AppStore apps)
{
    public async Task<AddOn> RunAsync(AddOn addOn, string planName, string userId)
    {
        var text = planName.Trim();
        var plan = catalog.Resolve(text.Contains(':') || catalog.FindPlanById(text) is not null ? text : $"{addOn.Service}:{text}");
        if (plan.Service.Name != addOn.Service)
            throw PlatformException.Invalid($"{addOn.Name} is a {addOn.Service} add-on: it cannot move to a plan of {plan.Service.Name}.");
        if (plan.Spec.Name == addOn.Plan) return addOn;
        if (addOn.State != AddOnStates.Provisioned || addOn.ProviderId is null)
            throw PlatformException.Invalid($"{addOn.Name} is {addOn.State}: its plan can change once it is provisioned.");

        var config = await plan.Service.Provider.ChangePlanAsync(addOn.ProviderId, plan.Spec.Name, CancellationToken.None);
        database.Write((c, t) => store.SetPlan(c, t, addOn.Id, plan.Spec.Name, config));
        if (config is not null)
        {
            foreach (var group in store.AttachmentsOf(addOn.Id).GroupBy(a => a.AppId))
            {
                if (apps.ById(group.Key) is not { } app) continue;
                releases.Release(app, userId, (c, t) =>
                {
                    // Suffixes the provider no longer exports go; the others take their new values.
                    var changes = group.SelectMany(a => AddOnReleases.Removals(a.Name, addOn.Config)).ToDictionary();
                    foreach (var (key, value) in group.SelectMany(a => AddOnReleases.Vars(a.Name, config))) changes[key] = value;
                    return ($"Update {string.Join(", ", group.Select(a => a.Name))} (@ref:{addOn.Name})", changes);
                });
            }
        }
        return store.Find(addOn.Id)!;
    }
}
