using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Dynos;

namespace Nuvem.Platform.Operations;

/// <summary>Renaming an app or turning maintenance on or off (<c>PATCH /apps/{app}</c>): both hold from the next
/// request on, so the host lookup forgets the old name and the scheduler's routes are updated before this returns.</summary>
public sealed class UpdateApp(AppService apps, DomainService domains, IScheduler scheduler)
{
    public async Task<App> RunAsync(Account caller, App app, string? newName, bool? maintenance)
    {
        var updated = apps.Update(caller, app, newName, maintenance);
        if (updated.Name != app.Name) domains.Invalidate(); // the old default host must stop answering now
        await scheduler.ApplyNowAsync(updated.Id);
        return updated;
    }
}
