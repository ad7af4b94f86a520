using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Formation;

namespace Nuvem.Platform.Operations;

/// <summary>Scaling (<c>PATCH /apps/{app}/formation</c> and <c>PATCH /apps/{app}/formation/{type}</c>): all updates or
/// none, then the scheduler starts or stops dynos within a moment; the caller does not wait for them.</summary>
public sealed class Scale(FormationService formation, IScheduler scheduler)
{
    /// <returns>The formation of the process types named in the updates, after the change.</returns>
    public IReadOnlyList<ProcessFormation> Run(Account caller, App app, IReadOnlyList<FormationUpdate> updates)
    {
        var updated = formation.Update(app, updates, caller.Email);
        scheduler.Apply(app.Id);
        return updated;
    }
}
