using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;

namespace Nuvem.Platform.Operations;

/// <summary>Restarting dynos (<c>heroku ps:restart</c>): all of an app's, a process type's, or one dyno.</summary>
public sealed class RestartDynos(IScheduler scheduler)
{
    /// <returns>How many were restarted; 0 means no such dyno or type.</returns>
    public Task<int> AllAsync(App app) => scheduler.RestartAsync(app);

    public Task<int> TypeAsync(App app, string type) => scheduler.RestartAsync(app, type: type);

    /// <summary>A dyno by name or id or, as on Heroku where <c>heroku ps:restart web</c> names a type the same way,
    /// every dyno of that process type (dyno names always have a dot, process types never do).</summary>
    public async Task<int> DynoOrTypeAsync(App app, string dynoOrType)
    {
        var restarted = await scheduler.RestartAsync(app, name: dynoOrType);
        if (restarted == 0 && !dynoOrType.Contains('.')) restarted = await scheduler.RestartAsync(app, type: dynoOrType);
        return restarted;
    }
}
