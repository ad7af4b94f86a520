using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds.Buildpacks;
using Nuvem.Platform.Builds.Runtime;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.Tarballs;

namespace Nuvem.Platform.Builds;

/// <summary>
/// Builds in a build dyno of this host (<see cref="IBuildRuntime"/>): check the source's tarball, start the dyno, and in
/// it unpack the source, pick buildpacks (the app's list, or the first built-in that detects), run
/// <c>bin/compile BUILD CACHE ENV</c> and <c>bin/release</c> for each, read the Procfile and pack the slug. The platform
/// itself only reads what the dyno's steps print.
/// </summary>
public sealed class LocalBuildExecutor(PlatformSettings settings, BuildpackCatalog catalog, SlugBlobStore slugStore, IBuildRuntime runtime,
    string dataDir) : IBuildExecutor
{
    public async Task<BuildOutcome> RunAsync(BuildRequest request, Func<string, Task> say, CancellationToken cancellation)
    {
        var (app, limits) = (request.App, request.Limits);
        string? buildpackNames = null;
        // The checked source, spooled where only the platform writes.
        var checkedSource = Path.Combine(dataDir, "builds", request.BuildId + ".source.tar");
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            deadline.CancelAfter(limits.Timeout);
            if (runtime.Warning is { } warning) await say($" !     {warning}");

            // Everything below that touches the app's files runs in the build dyno; the platform only checks bytes.
            var sources = new BuildSourceCheck(limits);
            TarballFilter.Summary? summary = null;
            if (request.Source.Open is not null)
            {
                await using var sourceStream = await request.Source.Open(deadline.Token);
                summary = await sources.CheckAsync(sourceStream, checkedSource, deadline.Token);
            }
            var choices = request.Buildpacks.Count > 0 ? request.Buildpacks.Select(catalog.Choose).ToList() : null;
            var spec = new BuildDynoSpec(request.BuildId, app.Id, app.Name, app.Uid, request.ConfigVars,
                choices?.Where(c => !c.BuiltIn && c.HostDirectory is not null).Select(c => c.HostDirectory!).Distinct().ToList() ?? []);

            await using var dyno = await runtime.StartAsync(spec, deadline.Token);
            var environment = BuildEnvironment(app, request.Source.Version, dyno.Paths);
            summary ??= await sources.DownloadAsync(dyno, environment, request.Source.Url!, checkedSource, say, deadline.Token);
            await UnpackAsync(dyno, environment, checkedSource, summary, deadline.Token);
            File.Delete(checkedSource);

            var buildpacks = await new BuildpackSelection(catalog).SelectAsync(choices, dyno, environment, say, deadline.Token);
            buildpackNames = string.Join(",", buildpacks.Select(b => b.Buildpack.Url));
            var (defaults, description) = await CompileAsync(dyno, environment, buildpacks, limits, say, deadline);
            var processTypes = await ProcessTypes.DiscoverAsync(dyno, environment, defaults, say, deadline.Token);
            var stored = await SlugPacking.PackAsync(dyno, environment, slugStore, limits.MaxSlugBytes, say, deadline.Token);
            return BuildOutcome.Built(new BuiltSlug(stored, processTypes, description), buildpackNames);
        }
        catch (Exception e) when (e is BuildFailedException or OperationCanceledException or InvalidDataException or IOException or TarballRejectedException)
        {
            return BuildOutcome.Failed(e switch
            {
                BuildFailedException => e.Message,
                TarballRejectedException => $"The source was refused: {e.Message}",
                OperationCanceledException when !cancellation.IsCancellationRequested => $"Build timed out after {Describe(limits.Timeout)}.",
                OperationCanceledException => "Build cancelled.",
                _ => $"Build error: {e.Message}",
            }, buildpackNames);
        }
        finally
        {
            File.Delete(checkedSource);
        }
    }

    /// <summary>The checked source into the dyno's /app, without its single top directory when it has one.</summary>
    private static async Task UnpackAsync(IBuildDyno dyno, IReadOnlyDictionary<string, string> environment, string checkedSource,
        TarballFilter.Summary summary, CancellationToken cancellation)
    {
        var unpack = await dyno.RunAsync(new BuildStep(
            ["tar", "-x", "-f", "-", "-C", dyno.Paths.App, "--no-same-owner", .. summary.SingleTopDirectory is null ? Array.Empty<string>() : ["--strip-components=1"]],
            environment, TimeSpan.FromMinutes(5), Input: async stdin =>
            {
                await using var file = File.OpenRead(checkedSource);
                await file.CopyToAsync(stdin, cancellation);
            }), cancellation);
        if (unpack.ExitCode != 0) throw new BuildFailedException($"Could not unpack the source: {BuildSteps.LastLine(unpack.Stderr)}");
    }

    /// <summary>bin/compile, then bin/release, of each buildpack in turn.</summary>
    /// <returns>The buildpacks' default process types, and what the first one detected.</returns>
    private static async Task<(Dictionary<string, string> Defaults, string? Description)> CompileAsync(IBuildDyno dyno,
        IReadOnlyDictionary<string, string> environment, IReadOnlyList<(Buildpack Buildpack, string Detected)> buildpacks, BuildSettings limits,
        Func<string, Task> say, CancellationTokenSource deadline)
    {
        var paths = dyno.Paths;
        var defaultTypes = new Dictionary<string, string>(StringComparer.Ordinal);
        string? description = null;
        foreach (var (buildpack, detected) in buildpacks)
        {
            var compile = await dyno.RunAsync(new BuildStep([buildpack.Compile, paths.App, paths.Cache, paths.Env], environment, limits.Timeout,
                OnLine: line => say(line)), deadline.Token);
            if (compile.TimedOut || deadline.IsCancellationRequested) throw new OperationCanceledException(deadline.Token);
            if (compile.ExitCode != 0 && dyno.OutOfMemory())
                throw new BuildFailedException($"Build ran out of memory (limit {dyno.MemoryMb} MB) in bin/compile of {buildpack.Name}.");
            if (compile.ExitCode is 126 or 127)
                throw new BuildFailedException($"bin/compile of {buildpack.Name} could not run (exit {compile.ExitCode}: {(compile.ExitCode == 126 ? "not executable, or permission denied" : "it or its interpreter was not found")}).");
            if (compile.ExitCode != 0) throw new BuildFailedException($"Failed to compile {detected} app (bin/compile of {buildpack.Name} exited {compile.ExitCode}).");
            if (buildpack.HasRelease)
            {
                var release = await dyno.RunAsync(new BuildStep([buildpack.Release, paths.App], environment, TimeSpan.FromMinutes(1)), deadline.Token);
                if (release.ExitCode != 0) throw new BuildFailedException($"bin/release of {buildpack.Name} exited {release.ExitCode}{BuildSteps.Said(release)}.");
                foreach (var (type, command) in ProcessTypes.DefaultsFromRelease(release.Stdout, buildpack.Name)) defaultTypes[type] = command;
            }
            description ??= detected;
        }
        return (defaultTypes, description);
    }

    /// <summary>The environment of buildpack steps: fresh, never the platform's own (which holds secrets).</summary>
    private Dictionary<string, string> BuildEnvironment(App app, string? commit, BuildPaths paths)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = paths.Home,
            ["LANG"] = "C.UTF-8",
            ["STACK"] = settings.Stack,
            ["APP_NAME"] = app.Name,
        };
        if (commit is not null) environment["SOURCE_VERSION"] = commit;
        return environment;
    }

    public static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{span.TotalMinutes:0} minutes" : $"{span.TotalSeconds:0} seconds";
}
