using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Builds.Runtime;

/// <summary>
/// Builds on the host, for installations whose dynos are plain processes (a developer's machine, no root): each step
/// runs as the app's uid (when the platform is root) in cgroups of the build's own, in a session of its own so that a
/// timeout ends everything it started. Nothing here isolates a build from the host: every build says so.
/// </summary>
public sealed class HostBuildRuntime(HostSandbox sandbox, string dataDir, string builtInBuildpacks) : IBuildRuntime
{
    private string WorkRoot => Path.Combine(dataDir, "work");
    private string CacheRoot => Path.Combine(dataDir, "cache");

    public string? Warning => "Builds run on the host, not in build dynos (NUVEM_DYNO_RUNTIME=process): a build is not isolated from the host."
                              + (sandbox.Warning is { } more ? " " + more : "");

    public Task<IBuildDyno> StartAsync(BuildDynoSpec spec, CancellationToken cancellation)
    {
        var traverse = (UnixFileMode)Convert.ToInt32("711", 8);
        var owner = (UnixFileMode)Convert.ToInt32("700", 8);
        var work = Path.Combine(WorkRoot, spec.BuildId);
        Directory.CreateDirectory(WorkRoot, traverse);
        Directory.CreateDirectory(CacheRoot, traverse);
        Directory.CreateDirectory(work, traverse);
        var paths = new BuildPaths(Path.Combine(work, "app"), Path.Combine(CacheRoot, spec.AppId), Path.Combine(work, "env"),
            Path.Combine(work, "tmp"), builtInBuildpacks);
        foreach (var dir in new[] { paths.App, paths.Cache, paths.Env, paths.Home }) Directory.CreateDirectory(dir, owner);
        foreach (var (key, value) in spec.ConfigVars) File.WriteAllText(Path.Combine(paths.Env, key), value);
        foreach (var owned in new[] { paths.App, paths.Cache, paths.Env, paths.Home }) sandbox.GiveTo(owned, spec.Uid);
        var jail = sandbox.Open("build-" + spec.BuildId, spec.Uid);
        return Task.FromResult<IBuildDyno>(new HostBuild(paths, work, jail));
    }

    public Task RecoverAsync()
    {
        if (Directory.Exists(WorkRoot))
            foreach (var work in Directory.EnumerateDirectories(WorkRoot)) Remove(work);
        return Task.CompletedTask;
    }

    public void Forget(string appId) => Remove(Path.Combine(CacheRoot, appId));

    private static void Remove(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private sealed class HostBuild(BuildPaths paths, string work, Jail jail) : IBuildDyno
    {
        public BuildPaths Paths => paths;
        public int MemoryMb => jail.MemoryMb;
        public bool OutOfMemory() => jail.OutOfMemory();

        public Task<BuildStepResult> RunAsync(BuildStep step, CancellationToken cancellation)
        {
            var (file, args) = jail.Wrap(step.Command[0], step.Command.Skip(1).ToList());
            // setsid makes the step a session and process-group leader (its pid is the group id).
            var environment = new Dictionary<string, string>(step.Environment) { ["TMPDIR"] = paths.Home };
            return BuildProcess.RunAsync("setsid", [file, .. args], paths.App, environment, step, KillGroup, KillGroup, cancellation);
        }

        // Children that outlive the step (daemonised by a careless buildpack) must not hold the build open.
        private static Task KillGroup(System.Diagnostics.Process process)
        {
            ProcessGroup.Signal(process.Id, ProcessGroup.SigKill);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            jail.Dispose();
            Remove(work);
            return ValueTask.CompletedTask;
        }
    }
}
