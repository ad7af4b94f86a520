using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;

namespace Nuvem.Platform.Operations;

/// <summary>Stopping dynos (<c>heroku ps:stop</c>): as the formation still wants them, they come back fresh.</summary>
public sealed class StopDynos(IScheduler scheduler)
{
    /// <returns>How many were stopped; 0 means no such dyno or type.</returns>
    public Task<int> TypeAsync(App app, string type) => scheduler.StopAsync(app, type: type);

    /// <summary>A dyno by name or id, or every dyno of a process type (see <see cref="RestartDynos.DynoOrTypeAsync"/>).</summary>
    public async Task<int> DynoOrTypeAsync(App app, string dynoOrType)
    {
        var stopped = await scheduler.StopAsync(app, name: dynoOrType);
        if (stopped == 0 && !dynoOrType.Contains('.')) stopped = await scheduler.StopAsync(app, type: dynoOrType);
        return stopped;
    }
}
