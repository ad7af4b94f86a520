using System.Collections.Concurrent;
using Dapper;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds.Buildpacks;
using Nuvem.Platform.Builds.Runtime;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;
using Nuvem.Platform.Tarballs;
using YamlDotNet.RepresentationModel;

namespace Nuvem.Platform.Builds;

/// <summary>What a build produced: the build record and, when it succeeded, the release it made.</summary>
public sealed record BuildResult(Build Build, Release? Release, string? Error);

/// <summary>A build that has been recorded and is running (or waiting for the app's previous build).</summary>
public sealed record PendingBuild(Build Build, Task<BuildResult> Completion);

/// <summary>
/// Where a build's source comes from: a tar (optionally gzipped) the platform already holds (a push, an upload), opened
/// when the build starts, or a URL elsewhere that the build dyno downloads — from its own network, so a URL cannot make
/// the platform call its own loopback or private networks.
/// </summary>
public sealed record BuildSource(Func<CancellationToken, Task<Stream>>? Open, string? Version, string? Url)
{
    public static BuildSource Held(Func<CancellationToken, Task<Stream>> open, string? version, string? url = null) => new(open, version, url);

    public static BuildSource Download(string url, string? version) => new(null, version, url);
}

/// <summary>
/// Source in, release out — the whole build in one place: check the source's tarball, start a build dyno
/// (<see cref="IBuildRuntime"/>), and in it unpack the source, pick buildpacks (the app's list, or the first built-in
/// that detects), run <c>bin/compile BUILD CACHE ENV</c> and <c>bin/release</c> for each, read the Procfile and pack the
/// slug; then release it. The platform itself only reads what the dyno's steps print. Builds of one app run one at a
/// time, and at most <see cref="BuildSettings.Concurrency"/> at once; any failure leaves the current release untouched.
/// </summary>
public sealed class Builder(
    Database database,
    PlatformSettings settings,
    BuildSettings limits,
    BuildService builds,
    BuildpackCatalog catalog,
    BuildpackInstallations installations,
    ConfigVarService configVars,
    SlugBlobStore slugStore,
    ReleaseService releases,
    OutputLogs outputLogs,
    ReleasePhase releasePhase,
    IBuildRuntime runtime,
    ILogplex logplex,
    string dataDir)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _appLocks = new();
    private readonly SemaphoreSlim _slots = new(limits.Concurrency, limits.Concurrency);

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
                    if (!await _slots.WaitAsync(0))
                    {
                        await Say($"-----> Waiting for a build slot ({limits.Concurrency} builds run at once on this platform)");
                        await _slots.WaitAsync();
                    }
                    try
                    {
                        var result = await BuildLockedAsync(app, userId, build, source, Say);
                        succeeded = result.Build.Status == BuildStatus.Succeeded;
                        return result;
                    }
                    finally
                    {
                        _slots.Release();
                    }
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
        var commit = source.Version;
        var cancellation = CancellationToken.None;
        string? buildpackNames = null;
        // The checked source, spooled where only the platform writes.
        var checkedSource = Path.Combine(dataDir, "builds", build.Id + ".source.tar");

        try
        {
            using var deadline = new CancellationTokenSource(limits.Timeout);
            await Say($"-----> Building on the Nuvem stack ({settings.Stack})");
            if (runtime.Warning is { } warning) await Say($" !     {warning}");

            // Everything below that touches the app's files runs in the build dyno; the platform only checks bytes.
            TarballFilter.Summary? summary = null;
            if (source.Open is not null)
            {
                await using var sourceStream = await source.Open(deadline.Token);
                summary = await CheckSourceAsync(sourceStream, checkedSource, deadline.Token);
            }
            var choices = installations.List(app) is { Count: > 0 } configured ? configured.Select(catalog.Choose).ToList() : null;
            var spec = new BuildDynoSpec(build.Id, app.Id, app.Name, app.Uid, configVars.Get(app),
                choices?.Where(c => !c.BuiltIn && c.HostDirectory is not null).Select(c => c.HostDirectory!).Distinct().ToList() ?? []);

            await using var dyno = await runtime.StartAsync(spec, deadline.Token);
            var paths = dyno.Paths;
            var environment = BuildEnvironment(app, commit, paths);
            summary ??= await DownloadSourceAsync(dyno, environment, source.Url!, checkedSource, Say, deadline.Token);
            var unpack = await dyno.RunAsync(new BuildStep(
                ["tar", "-x", "-f", "-", "-C", paths.App, "--no-same-owner", .. summary.SingleTopDirectory is null ? Array.Empty<string>() : ["--strip-components=1"]],
                environment, TimeSpan.FromMinutes(5), Input: async stdin =>
                {
                    await using var file = File.OpenRead(checkedSource);
                    await file.CopyToAsync(stdin, deadline.Token);
                }), deadline.Token);
            if (unpack.ExitCode != 0) throw new BuildFailedException($"Could not unpack the source: {LastLine(unpack.Stderr)}");
            File.Delete(checkedSource);

            var buildpacks = await SelectBuildpacksAsync(choices, dyno, environment, Say, deadline.Token);
            buildpackNames = string.Join(",", buildpacks.Select(b => b.Buildpack.Url));
            var defaultTypes = new Dictionary<string, string>(StringComparer.Ordinal);
            string? description = null;

            foreach (var (buildpack, detected) in buildpacks)
            {
                var compile = await dyno.RunAsync(new BuildStep([buildpack.Compile, paths.App, paths.Cache, paths.Env], environment, limits.Timeout,
                    OnLine: line => Say(line)), deadline.Token);
                if (compile.TimedOut || deadline.IsCancellationRequested) throw new OperationCanceledException(deadline.Token);
                if (compile.ExitCode != 0 && dyno.OutOfMemory())
                    throw new BuildFailedException($"Build ran out of memory (limit {dyno.MemoryMb} MB) in bin/compile of {buildpack.Name}.");
                if (compile.ExitCode is 126 or 127)
                    throw new BuildFailedException($"bin/compile of {buildpack.Name} could not run (exit {compile.ExitCode}: {(compile.ExitCode == 126 ? "not executable, or permission denied" : "it or its interpreter was not found")}).");
                if (compile.ExitCode != 0) throw new BuildFailedException($"Failed to compile {detected} app (bin/compile of {buildpack.Name} exited {compile.ExitCode}).");
                if (buildpack.HasRelease)
                {
                    var release = await dyno.RunAsync(new BuildStep([buildpack.Release, paths.App], environment, TimeSpan.FromMinutes(1)), deadline.Token);
                    if (release.ExitCode != 0) throw new BuildFailedException($"bin/release of {buildpack.Name} exited {release.ExitCode}{Said(release)}.");
                    foreach (var (type, command) in DefaultProcessTypes(release.Stdout, buildpack.Name)) defaultTypes[type] = command;
                }
                description ??= detected;
            }

            await Say("-----> Discovering process types");
            var processTypes = new Dictionary<string, string>(defaultTypes, StringComparer.Ordinal);
            // Read in the dyno: a Procfile that is a link (to /etc/shadow, say) resolves inside it, to nothing of the host's.
            if (await ReadAppFileAsync(dyno, environment, "Procfile", deadline.Token) is { } procfile)
            {
                IReadOnlyDictionary<string, string> declared;
                try { declared = Procfile.Parse(procfile); }
                catch (ProcfileException e) { throw new BuildFailedException(e.Message); }
                foreach (var (type, command) in declared) processTypes[type] = command;
                await Say($"       Procfile declares types -> {(declared.Count == 0 ? "(none)" : string.Join(", ", declared.Keys))}");
            }
            if (defaultTypes.Count > 0) await Say($"       Default types for buildpack -> {string.Join(", ", defaultTypes.Keys)}");
            if (processTypes.Count == 0) await Say(" !     No process types are declared: add a Procfile to run something.");

            await Say("-----> Compressing...");
            var ignore = SlugIgnore.Parse(await ReadAppFileAsync(dyno, environment, ".slugignore", deadline.Token));
            StoredSlug? stored = null;
            BuildStepResult packed;
            try
            {
                // The dyno writes its /app as a tar; the store checks each entry and compresses it.
                packed = await dyno.RunAsync(new BuildStep(["tar", "-c", "-f", "-", "-C", paths.App, "."], environment, TimeSpan.FromMinutes(10),
                    Output: async stdout => stored = await slugStore.PackAsync(stdout, ignore.Ignores, limits.MaxSlugBytes, deadline.Token)), deadline.Token);
            }
            catch (SlugTooLargeException e) { throw new BuildFailedException(e.Message); }
            catch (TarballRejectedException e) { throw new BuildFailedException($"The built app cannot be a slug: {e.Message}"); }
            if (packed.ExitCode != 0 || stored is null) throw new BuildFailedException($"Packing the slug failed: {LastLine(packed.Stderr)}");
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
        catch (Exception e) when (e is BuildFailedException or ReleasePhaseFailedException or OperationCanceledException or InvalidDataException
                                       or IOException or TarballRejectedException)
        {
            var reason = e switch
            {
                BuildFailedException or ReleasePhaseFailedException => e.Message,
                TarballRejectedException => $"The source was refused: {e.Message}",
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
            File.Delete(checkedSource);
        }
    }

    /// <summary>
    /// Reads the pushed tarball once, checking every entry (no device nodes, fifos, absolute paths, links out of the
    /// tree), into a tar of the platform's own that the build dyno unpacks.
    /// </summary>
    /// <summary>
    /// Checks the source tarball entry by entry and spools what passes as a plain tar, capped at the size the build's
    /// /app could hold anyway.
    /// </summary>
    private async Task<TarballFilter.Summary> CheckSourceAsync(Stream source, string target, CancellationToken cancellation)
    {
        var limit = (long)limits.Resources.DiskMb * 1024 * 1024;
        await using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        var capped = new LimitedWriteStream(file, limit,
            _ => new TarballRejectedException($"it unpacks to more than the build's {limits.Resources.DiskMb} MB"));
        await using var tar = new System.Formats.Tar.TarWriter(capped, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true);
        return await TarballFilter.CopyAsync(source, tar, TarballRules.Source, name => name, cancellation);
    }

    /// <summary>
    /// source_blob.url of another host: curl in the build dyno fetches it (http/https only, redirects too), under the
    /// dyno network policy; the platform only reads and checks the bytes it prints.
    /// </summary>
    private async Task<TarballFilter.Summary> DownloadSourceAsync(IBuildDyno dyno, IReadOnlyDictionary<string, string> environment, string url,
        string target, Func<string, Task> say, CancellationToken cancellation)
    {
        await say("-----> Downloading the source");
        TarballFilter.Summary? summary = null;
        var fetched = await dyno.RunAsync(new BuildStep(
            ["curl", "--fail", "--silent", "--show-error", "--location", "--max-redirs", "5", "--proto", "=http,https", "--proto-redir", "=http,https",
             "--max-filesize", limits.MaxSlugBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "--connect-timeout", "20", "--", url],
            environment, TimeSpan.FromMinutes(10), Output: async stdout =>
            {
                // Nothing at all came: curl failed, and says why on stderr; anything else is checked as a tarball.
                var first = new byte[1];
                if (await stdout.ReadAsync(first, cancellation) == 0) return;
                summary = await CheckSourceAsync(new TarballFilter.PrefixedStream(first, stdout), target, cancellation);
            }), cancellation);
        if (fetched.ExitCode != 0 || summary is null)
            throw new BuildFailedException($"Could not download the source from {SafeUrl(url)}: {LastLine(fetched.Stderr)}");
        return summary;
    }

    /// <summary>A URL as it may be shown in build output: without credentials or query (signatures, tokens).</summary>
    private static string SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}{(uri.IsDefaultPort ? "" : $":{uri.Port}")}{uri.AbsolutePath}" : "(the given URL)";

    /// <summary>A small file of the built app, read inside the build dyno; null when it has none.</summary>
    private static async Task<string?> ReadAppFileAsync(IBuildDyno dyno, IReadOnlyDictionary<string, string> environment, string name,
        CancellationToken cancellation)
    {
        const int absent = 3;
        var read = await dyno.RunAsync(new BuildStep(["/bin/sh", "-c", $"[ -f \"$0\" ] || exit {absent}; exec head -c 1048576 -- \"$0\"",
            $"{dyno.Paths.App}/{name}"], environment, TimeSpan.FromMinutes(1)), cancellation);
        return read.ExitCode switch
        {
            0 => read.Stdout,
            absent => null,
            _ => throw new BuildFailedException($"Could not read {name} (exit {read.ExitCode}){Said(read)}."),
        };
    }

    private static string Said(BuildStepResult result) => result.Stderr.Length == 0 ? "" : $": {LastLine(result.Stderr)}";

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no message";

    /// <returns>The buildpacks in order, each with the name its bin/detect gave the app (e.g. "Node.js").</returns>
    private async Task<IReadOnlyList<(Buildpack Buildpack, string Detected)>> SelectBuildpacksAsync(IReadOnlyList<BuildpackChoice>? configured,
        IBuildDyno dyno, IReadOnlyDictionary<string, string> environment, Func<string, Task> say, CancellationToken cancellation)
    {
        if (configured is null)
        {
            foreach (var choice in catalog.BuiltIns)
            {
                var candidate = await catalog.ResolveAsync(choice, dyno, environment, say, cancellation);
                var detect = await DetectAsync(dyno, candidate, environment, cancellation);
                if (detect.ExitCode != 0) continue;
                var detected = FirstLine(detect.Stdout, candidate.Name);
                await say($"-----> {detected} app detected");
                return [(candidate, detected)];
            }
            throw new BuildFailedException(NothingDetected(catalog.BuiltIns.Select(b => b.Name)));
        }

        var selected = new List<(Buildpack, string)>();
        foreach (var choice in configured)
        {
            var buildpack = await catalog.ResolveAsync(choice, dyno, environment, say, cancellation);
            var detected = buildpack.Name;
            if (buildpack.HasDetect)
            {
                var detect = await DetectAsync(dyno, buildpack, environment, cancellation);
                if (detect.ExitCode != 0) throw new BuildFailedException($"Buildpack {choice.Url} does not apply to this app (bin/detect exited {detect.ExitCode}).");
                detected = FirstLine(detect.Stdout, buildpack.Name);
                await say($"-----> {detected} app detected");
            }
            selected.Add((buildpack, detected));
        }
        return selected;
    }

    /// <summary>
    /// bin/detect: 0 applies, another status does not — except a detect that could not run at all (not executable, an
    /// interpreter missing, killed): that is the platform's or the buildpack's problem, said as such, not "no language".
    /// </summary>
    private static async Task<BuildStepResult> DetectAsync(IBuildDyno dyno, Buildpack buildpack, IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellation)
    {
        var detect = await dyno.RunAsync(new BuildStep([buildpack.Detect, dyno.Paths.App], environment, TimeSpan.FromMinutes(1)), cancellation);
        if (detect.TimedOut) throw new BuildFailedException($"bin/detect of {buildpack.Name} did not finish within a minute.");
        var why = detect.ExitCode switch
        {
            126 => "not executable, or permission denied",
            127 => "it or its interpreter was not found",
            > 128 => $"killed by signal {detect.ExitCode - 128}",
            _ => null,
        };
        if (why is not null) throw new BuildFailedException($"bin/detect of {buildpack.Name} could not run (exit {detect.ExitCode}: {why}){Said(detect)}.");
        return detect;
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
