using System.Collections.Concurrent;
using Dapper;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds.Buildpacks;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;
using YamlDotNet.RepresentationModel;

namespace Nuvem.Platform.Builds;

/// <summary>What a build produced: the build record and, when it succeeded, the release it made.</summary>
public sealed record BuildResult(Build Build, Release? Release, string? Error);

/// <summary>A build that has been recorded and is running (or waiting for the app's previous build).</summary>
public sealed record PendingBuild(Build Build, Task<BuildResult> Completion);

/// <summary>Where a build's source comes from: a tar (optionally gzipped) opened when the build starts.</summary>
public sealed record BuildSource(Func<CancellationToken, Task<Stream>> Open, string? Version, string? Url);

/// <summary>
/// Source in, release out — the whole build in one place:
/// unpack the source, pick buildpacks (the app's list, or the first built-in that detects), run
/// <c>bin/compile BUILD CACHE ENV</c> and <c>bin/release</c> for each, read the Procfile, pack the slug,
/// and release it. Builds of one app run one at a time; any failure leaves the current release untouched.
/// </summary>
public sealed class Builder(
    Database database,
    PlatformSettings settings,
    BuildSettings limits,
    BuildService builds,
    BuildpackCatalog catalog,
    BuildpackInstallations installations,
    ConfigVarService configVars,
    SlugStore slugStore,
    ReleaseService releases,
    OutputLogs outputLogs,
    ReleasePhase releasePhase,
    BuildSandbox sandbox,
    ILogplex logplex,
    string dataDir)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _appLocks = new();

    /// <summary>
    /// Records a pending build and starts it. The build then runs on its own: a pusher or API caller who goes
    /// away does not stop it half-way.
    /// </summary>
    /// <param name="output">Also receives every output line as it happens (the git pusher); the log keeps them all.</param>
    public PendingBuild Start(App app, string userId, BuildSource source, Func<string, Task>? output = null)
    {
        var build = builds.Start(app, userId, source.Url, source.Version, Path.Combine(dataDir, "builds"));
        var log = outputLogs.Open(build.Id, build.OutputPath!);
        // The app's log gets one line per build step that matters, never the build output itself.
        var email = database.Read(c => c.ExecuteScalar<string?>("SELECT email FROM users WHERE id = @userId", new { userId }));
        logplex.Api(app.Id, $"Build started{PlatformEvents.By(email)}");
        var completion = Task.Run(async () =>
        {
            async Task Say(string line)
            {
                await log.WriteLineAsync(line);
                if (output is null) return;
                try { await output(line); }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException) { } // the pusher went away
            }

            var appLock = _appLocks.GetOrAdd(app.Id, _ => new SemaphoreSlim(1, 1));
            try
            {
                if (!await appLock.WaitAsync(0))
                {
                    await Say($"-----> Waiting for the build in progress on {app.Name} to finish");
                    await appLock.WaitAsync();
                }
                var succeeded = false;
                try
                {
                    var result = await BuildLockedAsync(app, userId, build, source, Say);
                    succeeded = result.Build.Status == BuildStatus.Succeeded;
                    return result;
                }
                finally
                {
                    appLock.Release();
                    logplex.Api(app.Id, succeeded ? "Build succeeded" : "Build failed");
                }
            }
            finally
            {
                await outputLogs.CloseAsync(build.Id);
            }
        });
        return new PendingBuild(build, completion);
    }

    private async Task<BuildResult> BuildLockedAsync(App app, string userId, Build build, BuildSource source, Func<string, Task> Say)
    {
        var work = Path.Combine(dataDir, "work", build.Id);
        var commit = source.Version;
        var cancellation = CancellationToken.None;
        string? buildpackNames = null;

        Jail? jail = null;
        try
        {
            using var deadline = new CancellationTokenSource(limits.Timeout);
            // work/ID is the platform's; build/ and env/ inside it, and the app's cache, belong to the app's uid.
            var traverse = (UnixFileMode)Convert.ToInt32("711", 8);
            var buildDir = Path.Combine(work, "build");
            var cacheDir = Path.Combine(dataDir, "cache", app.Id);
            var envDir = Path.Combine(work, "env");
            var tmpDir = Path.Combine(work, "tmp");
            Directory.CreateDirectory(Path.Combine(dataDir, "work"), traverse);
            Directory.CreateDirectory(Path.Combine(dataDir, "cache"), traverse);
            Directory.CreateDirectory(work, traverse);
            Directory.CreateDirectory(buildDir);
            Directory.CreateDirectory(cacheDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(envDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(tmpDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            await Say($"-----> Building on the Nuvem stack ({settings.Stack})");
            if (sandbox.Warning is { } warning) await Say($" !     {warning}");
            await using (var sourceStream = await source.Open(deadline.Token))
                await SourceArchive.ExtractAsync(sourceStream, buildDir, deadline.Token);
            var config = configVars.Get(app);
            foreach (var (key, value) in config) await File.WriteAllTextAsync(Path.Combine(envDir, key), value, deadline.Token);
            foreach (var owned in new[] { buildDir, cacheDir, envDir, tmpDir }) sandbox.GiveTo(owned, app.Uid);
            jail = sandbox.Open("build-" + build.Id, app.Uid);

            var buildpacks = await SelectBuildpacksAsync(app, buildDir, work, jail, Say, deadline.Token);
            buildpackNames = string.Join(",", buildpacks.Select(b => b.Buildpack.Url));
            var environment = BuildEnvironment(app, commit);
            // Its own temporary directory: tools (NuGet, npm) create fixed-name dirs in TMPDIR that another app's uid may own.
            environment["TMPDIR"] = tmpDir;
            var defaultTypes = new Dictionary<string, string>(StringComparer.Ordinal);
            string? description = null;

            foreach (var (buildpack, detected) in buildpacks)
            {
                var compile = await BuildProcess.RunAsync(buildpack.Compile, [buildDir, cacheDir, envDir], buildDir, environment,
                    limits.Timeout, line => Say(line), deadline.Token, jail);
                if (compile.TimedOut || deadline.IsCancellationRequested) throw new OperationCanceledException(deadline.Token);
                if (compile.ExitCode != 0 && jail.OutOfMemory())
                    throw new BuildFailedException($"Build ran out of memory (limit {jail.MemoryMb} MB) in bin/compile of {buildpack.Name}.");
                if (compile.ExitCode != 0) throw new BuildFailedException($"Failed to compile {detected} app (bin/compile of {buildpack.Name} exited {compile.ExitCode}).");
                if (File.Exists(buildpack.Release))
                {
                    var release = await BuildProcess.RunAsync(buildpack.Release, [buildDir], buildDir, environment, TimeSpan.FromMinutes(1), null, deadline.Token, jail);
                    if (release.ExitCode != 0) throw new BuildFailedException($"bin/release of {buildpack.Name} exited {release.ExitCode}.");
                    foreach (var (type, command) in DefaultProcessTypes(release.Stdout, buildpack.Name)) defaultTypes[type] = command;
                }
                description ??= detected;
            }

            await Say("-----> Discovering process types");
            var procfile = Path.Combine(buildDir, "Procfile");
            var processTypes = new Dictionary<string, string>(defaultTypes, StringComparer.Ordinal);
            if (File.Exists(procfile))
            {
                IReadOnlyDictionary<string, string> declared;
                try { declared = Procfile.Parse(await File.ReadAllTextAsync(procfile, deadline.Token)); }
                catch (ProcfileException e) { throw new BuildFailedException(e.Message); }
                foreach (var (type, command) in declared) processTypes[type] = command;
                await Say($"       Procfile declares types -> {(declared.Count == 0 ? "(none)" : string.Join(", ", declared.Keys))}");
            }
            if (defaultTypes.Count > 0) await Say($"       Default types for buildpack -> {string.Join(", ", defaultTypes.Keys)}");
            if (processTypes.Count == 0) await Say(" !     No process types are declared: add a Procfile to run something.");

            await Say("-----> Compressing...");
            StoredSlug stored;
            try
            {
                var ignore = SlugIgnore.Parse(File.Exists(Path.Combine(buildDir, ".slugignore")) ? await File.ReadAllTextAsync(Path.Combine(buildDir, ".slugignore"), deadline.Token) : null);
                using var tar = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("tar", ["-c", "-C", buildDir, "."]) { RedirectStandardOutput = true })!;
                stored = await slugStore.PackAsync(tar.StandardOutput.BaseStream, ignore.Ignores, limits.MaxSlugBytes, deadline.Token);
                await tar.WaitForExitAsync(deadline.Token);
            }
            catch (SlugTooLargeException e) { throw new BuildFailedException(e.Message); }
            catch (Tarballs.TarballRejectedException e) { throw new BuildFailedException(e.Message); }
            await Say($"       Done: {HumanSize(stored.Size)}");

            await Say("-----> Launching...");
            var slugId = RecordSlug(app, processTypes, commit, description, stored);
            var made = releases.Deploy(app, userId, slugId, description: null);
            builds.Finish(build, BuildStatus.Succeeded, buildpackNames, slugId, made.Id);
            if (made.Status == ReleaseStatus.Pending)
            {
                made = await releasePhase.RunAsync(app, made, Say);
                if (made.Status != ReleaseStatus.Succeeded)
                    throw new ReleasePhaseFailedException($"Release command failed: v{made.Version} is marked failed.");
            }
            await Say($"       Released v{made.Version}");
            await Say($"       {settings.WebUrl(app.Name)} deployed to Nuvem");
            return new BuildResult(builds.Get(app, build.Id), made, null);
        }
        catch (Exception e) when (e is BuildFailedException or ReleasePhaseFailedException or OperationCanceledException or InvalidDataException or IOException)
        {
            var reason = e switch
            {
                BuildFailedException or ReleasePhaseFailedException => e.Message,
                OperationCanceledException when !cancellation.IsCancellationRequested => $"Build timed out after {Describe(limits.Timeout)}.",
                OperationCanceledException => "Build cancelled.",
                _ => $"Build error: {e.Message}",
            };
            await Say($" !     {reason}");
            await Say(" !     Push rejected: the build failed, the current release is unchanged.");
            if (e is not ReleasePhaseFailedException) builds.Finish(build, BuildStatus.Failed, buildpackNames);
            return new BuildResult(builds.Get(app, build.Id), null, reason);
        }
        catch
        {
            builds.Finish(build, BuildStatus.Failed, buildpackNames);
            throw;
        }
        finally
        {
            jail?.Dispose();
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <returns>The buildpacks in order, each with the name its bin/detect gave the app (e.g. "Node.js").</returns>
    private async Task<IReadOnlyList<(Buildpack Buildpack, string Detected)>> SelectBuildpacksAsync(App app, string buildDir, string work, Jail jail,
        Func<string, Task> say, CancellationToken cancellation)
    {
        var configured = installations.List(app);
        var environment = BuildEnvironment(app, null);
        if (configured.Count == 0)
        {
            foreach (var candidate in catalog.BuiltIns)
            {
                var detect = await BuildProcess.RunAsync(candidate.Detect, [buildDir], buildDir, environment, TimeSpan.FromMinutes(1), null, cancellation, jail);
                if (detect.ExitCode == 0)
                {
                    var detected = FirstLine(detect.Stdout, candidate.Name);
                    await say($"-----> {detected} app detected");
                    return [(candidate, detected)];
                }
            }
            throw new BuildFailedException(NothingDetected(catalog.BuiltIns.Select(b => b.Name)));
        }

        var selected = new List<(Buildpack, string)>();
        foreach (var url in configured)
        {
            var buildpack = await catalog.ResolveAsync(url, work, say, cancellation);
            var detected = buildpack.Name;
            if (File.Exists(buildpack.Detect))
            {
                var detect = await BuildProcess.RunAsync(buildpack.Detect, [buildDir], buildDir, environment, TimeSpan.FromMinutes(1), null, cancellation, jail);
                if (detect.ExitCode != 0) throw new BuildFailedException($"Buildpack {url} does not apply to this app (bin/detect exited {detect.ExitCode}).");
                detected = FirstLine(detect.Stdout, buildpack.Name);
                await say($"-----> {detected} app detected");
            }
            selected.Add((buildpack, detected));
        }
        return selected;
    }

    /// <summary>Why a push was rejected when no built-in buildpack detected the app: what each one looks for.</summary>
    public static string NothingDetected(IEnumerable<string> builtIns) =>
        $"No default language could be detected for this app. Looked for: {string.Join(", ", builtIns.Select(b => $"{b} ({DetectHint(b)})"))}. " +
        "Set a buildpack with `nuvem buildpacks:set URL`.";

    private static string DetectHint(string builtIn) => builtIn switch
    {
        "nodejs" => "package.json",
        "python" => "requirements.txt / pyproject.toml / setup.py",
        "dotnet" => "*.csproj / *.fsproj / *.sln",
        "procfile" => "a Procfile",
        _ => builtIn,
    };

    private static string FirstLine(string text, string fallback) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? fallback;

    /// <summary>The environment of buildpack steps: fresh, never the platform's own (which holds secrets).</summary>
    private Dictionary<string, string> BuildEnvironment(App app, string? commit)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = Path.Combine(dataDir, "cache", app.Id),
            ["LANG"] = "C.UTF-8",
            ["STACK"] = settings.Stack,
            ["APP_NAME"] = app.Name,
        };
        if (commit is not null) environment["SOURCE_VERSION"] = commit;
        return environment;
    }

    /// <summary>Reads <c>default_process_types</c> from a buildpack's bin/release YAML.</summary>
    private static Dictionary<string, string> DefaultProcessTypes(string yaml, string buildpack)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(yaml)) return types;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return types;
            if (root.Children.TryGetValue(new YamlScalarNode("default_process_types"), out var node) && node is YamlMappingNode mapping)
            {
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: { } type } && value is YamlScalarNode { Value: { } command }) types[type] = command;
                }
            }
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new BuildFailedException($"bin/release of {buildpack} printed invalid YAML: {e.Message}");
        }
        return types;
    }

    private string RecordSlug(App app, IReadOnlyDictionary<string, string> processTypes, string? commit, string? description, StoredSlug stored)
    {
        var id = Guid.NewGuid().ToString();
        database.Write((c, t) => c.Execute("""
            INSERT INTO slugs (id, app_id, process_types, commit_sha, buildpack_provided_description, stack, checksum, size, created_at, updated_at)
            VALUES (@id, @appId, @types, @commit, @description, @stack, @Checksum, @Size, @now, @now)
            """, new
        {
            id, appId = app.Id, types = System.Text.Json.JsonSerializer.Serialize(processTypes), commit, description,
            stack = settings.Stack, stored.Checksum, stored.Size, now = Timestamp.Now(),
        }, t));
        return id;
    }

    private static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 && span.Seconds == 0 ? $"{span.TotalMinutes:0} minutes" : $"{span.TotalSeconds:0} seconds";

    public static string HumanSize(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0}G",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0}M",
        >= 1L << 10 => $"{bytes / 1024.0:0.0}K",
        _ => $"{bytes}B",
    };
}
