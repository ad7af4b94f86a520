namespace Nuvem.Platform.Builds.Runtime;

/// <summary>What a build dyno is made for: one build of one app.</summary>
/// <param name="BuildId">Names the build dyno and everything it holds on the host.</param>
/// <param name="AppId">Whose build cache the dyno gets.</param>
/// <param name="ConfigVars">The app's config, given to buildpacks as ENV_DIR files (never as the steps' environment).</param>
/// <param name="BuildpackDirectories">Directory buildpacks from the admin's allow-list the build uses: each is bound into the dyno read-only.</param>
public sealed record BuildDynoSpec(
    string BuildId,
    string AppId,
    string AppName,
    int Uid,
    IReadOnlyDictionary<string, string> ConfigVars,
    IReadOnlyList<string> BuildpackDirectories);

/// <summary>Where a build dyno's steps find things, as they see them.</summary>
/// <param name="App">BUILD_DIR: the source, then the compiled app that becomes the slug.</param>
/// <param name="Cache">CACHE_DIR: kept between the app's builds.</param>
/// <param name="Env">ENV_DIR: one file per config var.</param>
/// <param name="Home">HOME of every step: private to the build, gone after it.</param>
public sealed record BuildPaths(string App, string Cache, string Env, string Home, string BuiltInBuildpacks)
{
    /// <summary>Where an allow-listed directory buildpack is seen from inside the dyno.</summary>
    public Func<string, string> BuildpackDirectory { get; init; } = path => path;
}

/// <summary>One command run in a build dyno.</summary>
/// <param name="Input">Writes the command's stdin (then it is closed); none: empty stdin.</param>
/// <param name="Output">Reads the command's stdout as bytes (a slug being packed); none: stdout is collected, or streamed to <paramref name="OnLine"/>.</param>
/// <param name="OnLine">Receives stdout and stderr lines as they come (compile output); none: stdout is collected and stderr kept apart.</param>
public sealed record BuildStep(
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Environment,
    TimeSpan Timeout,
    Func<string, Task>? OnLine = null,
    Func<Stream, Task>? Input = null,
    Func<Stream, Task>? Output = null);

/// <param name="Stdout">What the step printed, when it was collected.</param>
/// <param name="Stderr">The last of what it printed on stderr, when not streamed: why a step could not run.</param>
public sealed record BuildStepResult(int ExitCode, string Stdout, string Stderr, bool TimedOut);

/// <summary>A running build dyno. Disposing it ends every process in it and removes it with its build directory.</summary>
public interface IBuildDyno : IAsyncDisposable
{
    BuildPaths Paths { get; }

    /// <summary>The memory limit of the whole build.</summary>
    int MemoryMb { get; }

    /// <summary>Runs one step to its end. A step that overruns its timeout is killed with everything in the dyno.</summary>
    Task<BuildStepResult> RunAsync(BuildStep step, CancellationToken cancellation);

    /// <summary>Whether the kernel killed something of this build for going over its memory limit.</summary>
    bool OutOfMemory();
}

/// <summary>
/// Where builds run: a build dyno per build — an isolated container made by the same OCI runtime as dynos
/// (<see cref="ContainerBuildRuntime"/>) — or, where dynos are plain processes, the host with a uid and cgroups of the
/// build's own (<see cref="HostBuildRuntime"/>).
/// </summary>
public interface IBuildRuntime
{
    /// <summary>Why builds are not isolated here, or null when they are.</summary>
    string? Warning { get; }

    Task<IBuildDyno> StartAsync(BuildDynoSpec spec, CancellationToken cancellation);

    /// <summary>Removes what builds of a previous platform process left (it was killed mid-build): containers, cgroups, directories.</summary>
    Task RecoverAsync();

    /// <summary>Removes what the runtime keeps for an app between builds (its cache), when the app is destroyed.</summary>
    void Forget(string appId);
}
