using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Releases;

namespace Nuvem.Platform.Operations;

/// <summary>Creating an app (<c>POST /apps</c>): the app and its first release, v1 "Initial release", in one
/// transaction; then the router answers for the new app from the very next request.</summary>
public sealed class CreateApp(AppService apps, ReleaseService releases, IScheduler scheduler)
{
    public const string InitialRelease = "Initial release";

    public async Task<App> RunAsync(Account owner, string? name = null, string? region = null, string? stack = null)
    {
        string? releaseId = null;
        var app = apps.Create(owner, name, region, stack,
            alongside: (c, t, appId) => releaseId = releases.Append(c, t, appId, InitialRelease, owner.Id, slugId: null, "{}"));
        releases.Announced(releases.Find(app, releaseId!));
        await scheduler.ApplyNowAsync(app.Id);
        return app;
    }
}
