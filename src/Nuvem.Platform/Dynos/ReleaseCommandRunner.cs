using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Dynos;

/// <summary>
/// Runs the release command the way dynos run: a <c>release.N</c> process started by the dyno runtime with the
/// release's slug and config vars, so it gets the same filesystem, user, limits and environment (<see cref="DynoEnvironment"/>) as the app's other processes.
/// </summary>
public sealed class DynoReleaseCommandRunner(IDynoRuntime runtime, PlatformSettings settings, TimeSpan timeout) : IReleaseCommandRunner
{
    public async Task<int> RunAsync(App app, Release release, SlugReference slug, string command, Func<string, Task> output, CancellationToken cancellation)
    {
        var spec = new DynoSpec(Guid.NewGuid().ToString(), app.Id, app.Name, app.Uid, $"release.{release.Version}", "release", command,
            release.Id, release.Version, slug, settings.DynoSizes.DefaultSize, release.ConfigVars);
        var process = await runtime.StartAsync(spec, DynoOutput.Lines(output), cancellation);
        if (await Task.WhenAny(process.Exited, Task.Delay(timeout, cancellation)) == process.Exited) return await process.Exited;
        await output($"Release command timed out after {timeout.TotalSeconds:0} seconds.");
        await process.StopAsync(TimeSpan.FromSeconds(10));
        return 124;
    }
}
