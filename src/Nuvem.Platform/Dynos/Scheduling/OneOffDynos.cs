using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>
/// One-off dynos (<c>run.NNNN</c>): the current release's slug and config plus the caller's environment. Detached, the
/// output goes to the app's log; attached, the caller gets its streams. Never restarted; <c>complete</c> once it exits.
/// </summary>
internal sealed class OneOffDynos(PlatformSettings settings, IDynoRuntime runtime, TimeProvider clock, DynoTable dynos,
    DynoLauncher launcher, DesiredStateReader desiredState, RoutePublisher publisher)
{
    /// <summary>Starts one; runs on the loop.</summary>
    public async Task<(Dyno Dyno, IAttachedDyno? Attached)> StartAsync(App app, OneOffRequest request)
    {
        var (desired, broken) = desiredState.Read();
        if (broken.TryGetValue(app.Id, out var problem)) throw PlatformException.Invalid($"{app.Name} cannot run dynos now: {problem}");
        if (!desired.TryGetValue(app.Id, out var current) || current.Slug is null || current.ReleaseId is null)
            throw PlatformException.Invalid($"{app.Name} has no release to run yet: deploy it first (git push).");
        var dynoSize = request.Size is null ? settings.DynoSizes.DefaultSize
            : settings.DynoSizes.Find(request.Size) ?? throw PlatformException.Invalid(
                $"No such dyno size '{request.Size}'. Available sizes: {string.Join(", ", settings.DynoSizes.All.Select(s => s.Name))}.");
        string name;
        do name = $"{request.Type}.{Random.Shared.Next(1000, 10000)}"; while (dynos.Has(app.Id, name));
        var dyno = new ScheduledDyno
        {
            Id = Guid.NewGuid().ToString(), AppId = app.Id, Name = name, Type = request.Type, Command = request.Command, Size = dynoSize.Name,
            ReleaseId = current.ReleaseId, ReleaseVersion = current.ReleaseVersion, OneOff = true,
        };
        var config = new Dictionary<string, string>(current.ConfigVars);
        foreach (var (key, value) in request.Environment) config[key] = value;
        var spec = new DynoSpec(dyno.Id, app.Id, app.Name, current.Uid, name, request.Type, request.Command, current.ReleaseId, current.ReleaseVersion,
            current.Slug, dynoSize, config);
        dyno.StartedAt = clock.GetUtcNow();
        dynos.Log(dyno, $"Starting process with command `{request.Command}`");
        IAttachedDyno? attached = null;
        if (request.Attach)
        {
            attached = await runtime.StartAttachedAsync(spec, request.Tty, CancellationToken.None);
            dyno.Process = attached;
        }
        else
        {
            dyno.Process = await runtime.StartAsync(spec, launcher.OutputOf(app.Id, name), CancellationToken.None);
        }
        dynos.Add(dyno);
        dynos.SetUp(dyno);
        launcher.WatchExit(dyno, dyno.Process);
        publisher.Publish(desired);
        return (dyno.View(), attached);
    }
}
