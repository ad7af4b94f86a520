using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Nuvem.Platform.Dynos.Network;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Dynos.Runtime.Containers;

namespace Nuvem.Platform.Builds.Runtime;

/// <summary>
/// Build dynos: each build runs in an OCI container made by the same runtime as dynos (crun or runc), sandboxed like a
/// dyno — the app's uid, no capabilities, no new privileges, the dyno seccomp filter, its own pid/mount/ipc/uts/cgroup
/// namespaces, the read-only stack root, a private <c>/tmp</c>, and a network namespace on the dynos' bridge, so the same
/// nftables wall keeps it from the host, other dynos and private networks while package registries stay reachable.
/// <para>Its mounts: <c>/app</c> the build directory, a tmpfs of <see cref="BuildResources.DiskMb"/>; <c>/cache</c> the
/// app's cache, an ext4 file system in a file of <see cref="BuildResources.CacheMb"/> (a hard cap on disk, and the
/// platform never walks what the build left in it: it only mounts and unmounts it); <c>/env</c> the config vars, written
/// by the platform into a directory of its own; <c>/buildpacks</c> the built-ins and allow-listed directories, read-only.
/// The container's first process only waits; every step is an <c>exec</c> into it.</para>
/// <para>Layout under the dynos' directory: <c>builds/ID/</c> one bundle per build (config.json, app/, cache/, env/,
/// steps/), <c>oci-builds/</c> the OCI runtime's state for builds; apps' cache images under the data dir's <c>cache/</c>.</para>
/// </summary>
public sealed class ContainerBuildRuntime : IBuildRuntime
{
    private const string Prefix = "build-";

    private readonly BuildResources _limits;
    private readonly ContainerSettings _settings;
    private readonly OciRuntime _oci;
    private readonly IDynoNetwork _network;
    private readonly string _bundles;
    private readonly string _caches;
    private readonly string _builtIns;
    private readonly SetUpOnce<string> _stack;

    public ContainerBuildRuntime(BuildResources limits, ContainerSettings settings, ContainerHost host, IDynoNetwork network,
        string dataDir, string builtInBuildpacks)
    {
        if (!host.Ready) throw new InvalidOperationException(string.Join(Environment.NewLine, host.Problems));
        _limits = limits;
        _settings = settings;
        _oci = new OciRuntime(host.OciRuntime!, Path.Combine(settings.Directory, "oci-builds"));
        _network = network;
        _bundles = Path.Combine(settings.Directory, "builds");
        _caches = Path.Combine(dataDir, "cache");
        _stack = new SetUpOnce<string>(SetUpAsync);
        _builtIns = builtInBuildpacks;
    }

    public string? Warning => null;

    private static readonly BuildPaths InsidePaths = new("/app", "/cache", "/env", "/tmp", "/buildpacks/builtin")
    {
        BuildpackDirectory = AllowedBuildpackMount,
    };

    /// <summary>Where an allow-listed buildpack directory appears in the build dyno.</summary>
    private static string AllowedBuildpackMount(string hostPath) =>
        "/buildpacks/dir/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(hostPath)))[..16];

    private string CgroupsPath(string id) => $"/{_settings.CgroupParent}-builds/{id}";

    private async Task<string> SetUpAsync()
    {
        Directory.CreateDirectory(_settings.Directory, (UnixFileMode)Convert.ToInt32("711", 8));
        Directory.CreateDirectory(_bundles, (UnixFileMode)Convert.ToInt32("700", 8));
        // Searchable but not listable, as the data directory check wants it (the host build runtime keeps
        // per-app cache directories here); each image in it is root's, mode 0600, and reaches a build only mounted.
        Directory.CreateDirectory(_caches, (UnixFileMode)Convert.ToInt32("711", 8));
        await _network.SetUpAsync();
        return StackRoot.Ensure(_settings.Directory);
    }

    public async Task<IBuildDyno> StartAsync(BuildDynoSpec spec, CancellationToken cancellation)
    {
        var stack = await _stack.GetAsync();
        var id = Prefix + spec.BuildId;
        var bundle = Path.Combine(_bundles, id);
        Directory.CreateDirectory(bundle, (UnixFileMode)Convert.ToInt32("700", 8));
        DynoEndpoint? endpoint = null;
        Process? init = null;
        try
        {
            // The build directory: a tmpfs owned by the app's uid, so the build can fill it only up to its cap.
            var app = Path.Combine(bundle, "app");
            Directory.CreateDirectory(app);
            await HostCommand.RequireAsync("mount", ["-t", "tmpfs", "-o",
                $"size={_limits.DiskMb}m,mode=0755,uid={spec.Uid},gid={spec.Uid},nodev,nosuid", "tmpfs", app], cancellation: cancellation);
            await MountCacheAsync(spec, Path.Combine(bundle, "cache"), cancellation);

            // ENV_DIR: written by the platform into a directory it just made; the build reads it, read-only.
            var env = Path.Combine(bundle, "env");
            Directory.CreateDirectory(env, (UnixFileMode)Convert.ToInt32("755", 8));
            foreach (var (key, value) in spec.ConfigVars)
            {
                var file = Path.Combine(env, key);
                await File.WriteAllTextAsync(file, value, cancellation);
                File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32("644", 8));
            }
            Directory.CreateDirectory(Path.Combine(bundle, "steps"), (UnixFileMode)Convert.ToInt32("700", 8));

            endpoint = await _network.AttachAsync(id, cancellation);
            var mounts = new List<JsonObject>
            {
                OciBundle.Bind("/app", app, writable: true),
                OciBundle.Bind("/cache", Path.Combine(bundle, "cache"), writable: true),
                OciBundle.Bind("/env", env),
                // A tmpfs of its own, so the buildpacks' mount points are made there and not in the shared stack.
                OciBundle.Mount("/buildpacks", "tmpfs", "tmpfs", "mode=755", "size=64k", "nosuid", "nodev", "ro"),
                OciBundle.Bind("/buildpacks/builtin", _builtIns),
            };
            mounts.AddRange(spec.BuildpackDirectories.Select(d => OciBundle.Bind(AllowedBuildpackMount(d), d)));
            var container = new OciContainer("build", spec.Uid, spec.AppName, CgroupsPath(id), endpoint,
                _limits.MemoryMb, _limits.Cpus, _limits.Pids, _limits.TmpMb);
            // The first process only waits (tini reaps whatever a step leaves behind); the steps are exec'd beside it.
            OciBundle.Write(bundle, stack, container, [ContainerHost.Tini, "-s", "--", "sleep", "infinity"],
                new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }, terminal: false, mounts);

            // In the foreground, as our child: a build needs no monitor that outlives the platform (a build cut short
            // by a platform crash fails and is removed at the next start).
            var start = new ProcessStartInfo(_oci.Path)
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var arg in new[] { "--root", _oci.StateRoot, "run", "--bundle", bundle, id }) start.ArgumentList.Add(arg);
            init = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_oci.Name}.");
            var said = init.StandardError.ReadToEndAsync(CancellationToken.None);
            _ = init.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            var waited = Stopwatch.StartNew();
            while (await _oci.StatusAsync(id) != "running")
            {
                if (init.HasExited)
                    throw new InvalidOperationException($"The build dyno could not be created ({_oci.Name} exited {init.ExitCode}): {(await said).Trim()}");
                if (waited.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("The build dyno did not start within 30 seconds.");
                await Task.Delay(5, cancellation);
            }
            return new ContainerBuild(this, id, spec.Uid, bundle, endpoint, init);
        }
        catch
        {
            await RemoveAsync(id, bundle, endpoint, init);
            throw;
        }
    }

    /// <summary>
    /// The app's cache: a file system in a file of the platform's (made on first use, owned inside by the app's uid),
    /// mounted for this build only. A cache that cannot be mounted (a crash mid-write) is made anew: it is only a cache.
    /// </summary>
    private async Task MountCacheAsync(BuildDynoSpec spec, string mountPoint, CancellationToken cancellation)
    {
        Directory.CreateDirectory(mountPoint);
        var image = Path.Combine(_caches, spec.AppId + ".img");
        string[] options = ["-o", "loop,nodev,nosuid", image, mountPoint];
        if (File.Exists(image) && (await HostCommand.RunAsync("mount", options, cancellation: cancellation)).Succeeded) return;
        File.Delete(image);
        await using (var file = new FileStream(image, FileMode.CreateNew, FileAccess.Write))
            file.SetLength((long)_limits.CacheMb * 1024 * 1024); // sparse: only what the cache holds takes disk
        File.SetUnixFileMode(image, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await HostCommand.RequireAsync("mke2fs", ["-q", "-F", "-t", "ext4", "-O", "^has_journal", "-m", "0",
            "-E", $"root_owner={spec.Uid}:{spec.Uid}", image], cancellation: cancellation);
        await HostCommand.RequireAsync("mount", options, cancellation: cancellation);
        // Before any build has seen it: nothing in it is a tenant's yet.
        Directory.Delete(Path.Combine(mountPoint, "lost+found"));
    }

    public async Task RecoverAsync()
    {
        if (!Directory.Exists(_bundles)) return;
        foreach (var bundle in Directory.EnumerateDirectories(_bundles))
            await RemoveAsync(Path.GetFileName(bundle), bundle, endpoint: null, init: null);
        var listed = await _oci.RunAsync("list", "--quiet");
        foreach (var id in listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (id.StartsWith(Prefix, StringComparison.Ordinal)) await _oci.DeleteAsync(id);
    }

    public void Forget(string appId)
    {
        var image = Path.Combine(_caches, appId + ".img");
        if (File.Exists(image)) File.Delete(image);
    }

    /// <summary>
    /// Ends the build dyno and removes every trace: container and cgroups, network, and its mounts. The platform does
    /// not walk what the build wrote: the build directory is a tmpfs and the cache a file system, both only unmounted.
    /// </summary>
    private async Task RemoveAsync(string id, string bundle, DynoEndpoint? endpoint, Process? init)
    {
        try
        {
            await _oci.KillAsync(id, "KILL");
            if (init is not null)
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await init.WaitForExitAsync(wait.Token); } catch (OperationCanceledException) { }
            }
            await _oci.DeleteAsync(id);
            await _network.DetachAsync(id, endpoint);
            foreach (var mount in new[] { "app", "cache" }.Select(m => Path.Combine(bundle, m)))
                if (IsMountPoint(mount)) await HostCommand.RunAsync("umount", ["--lazy", mount]);
            // Only the platform's own files and empty mount points are left.
            foreach (var mount in new[] { "app", "cache" }.Select(m => Path.Combine(bundle, m)))
                if (Directory.Exists(mount) && !IsMountPoint(mount) && !Directory.EnumerateFileSystemEntries(mount).Any()) Directory.Delete(mount);
            if (new[] { "app", "cache" }.All(m => !Directory.Exists(Path.Combine(bundle, m)))) Directory.Delete(bundle, recursive: true);
            else Console.Error.WriteLine($"{id}: a build mount could not be removed; {bundle} is left in place.");
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{id}: clean-up incomplete: {e.Message}");
        }
        finally
        {
            init?.Dispose();
        }
    }

    private static bool IsMountPoint(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ').ElementAtOrDefault(4) == path);

    private sealed class ContainerBuild(ContainerBuildRuntime runtime, string id, int uid, string bundle, DynoEndpoint endpoint, Process init) : IBuildDyno
    {
        private int _steps;

        public BuildPaths Paths => InsidePaths;
        public int MemoryMb => runtime._limits.MemoryMb;

        public bool OutOfMemory() => new CgroupMemory(runtime.CgroupsPath(id)).OomKills() > 0;

        public async Task<BuildStepResult> RunAsync(BuildStep step, CancellationToken cancellation)
        {
            // The step as a process of the container's: the app's uid, no capabilities, no new privileges (exec would
            // otherwise run it as root).
            var process = Path.Combine(bundle, "steps", (++_steps).ToString(CultureInfo.InvariantCulture) + ".json");
            var environment = new Dictionary<string, string>(step.Environment) { ["TMPDIR"] = "/tmp" };
            // Started through the stack's sh: when the command cannot be executed, the OCI runtime answers 1 or 255, sh
            // answers 126 (permission denied) or 127 (not found), which the builder can explain.
            string[] command = ["/bin/sh", "-c", "exec \"$@\"", "sh", .. step.Command];
            await File.WriteAllTextAsync(process, OciBundle.Process(uid, command, environment, Paths.App).ToJsonString(), cancellation);
            return await BuildProcess.RunAsync(runtime._oci.Path, ["--root", runtime._oci.StateRoot, "exec", "--process", process, id],
                bundle, new Dictionary<string, string> { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin" }, step,
                // A step that overruns ends the build: everything in the dyno goes with it.
                kill: async _ => await runtime._oci.KillAsync(id, "KILL"), afterExit: null, cancellation);
        }

        public async ValueTask DisposeAsync() => await runtime.RemoveAsync(id, bundle, endpoint, init);
    }
}
