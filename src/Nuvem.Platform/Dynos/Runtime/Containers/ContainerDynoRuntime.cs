using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nuvem.Platform.Dynos.Network;
using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>
/// Dynos as isolated Linux containers, with no daemon: for each dyno the platform writes an OCI bundle
/// (<see cref="OciBundle"/>), gives it a network (<see cref="IDynoNetwork"/>) and hands it to <b>conmon</b>, which has
/// the OCI runtime (crun or runc) create it and then stays as its monitor: it keeps the dyno's stdout/stderr in a log
/// file, records its exit status and an OOM kill, and is its subreaper. Because conmon, not the platform, is the
/// dyno's parent, dynos keep running and serving while the platform restarts; the next platform process finds them
/// by their bundles and adopts them (<see cref="RecoverAsync"/>).
/// <para>Layout under the runtime's directory: <c>stack/</c> the shared read-only root, <c>layers/RELEASE/app</c>
/// unpacked slugs, <c>bundles/ID/</c> one per dyno (config.json, dyno.json, ctr.log, exit/, persist/, scratch/ a
/// tmpfs with /app's writable layer), <c>oci/</c> the OCI runtime's state, <c>leases/</c> address leases.</para>
/// </summary>
public sealed class ContainerDynoRuntime : IDynoRuntime
{
    private readonly ContainerSettings _settings;
    internal OciRuntime Oci => _oci;
    private readonly OciRuntime _oci;
    private readonly string _conmon;
    private readonly IDynoNetwork _network;
    private readonly SlugLayers _layers;
    private readonly string _bundles;
    private readonly string _sockets;
    private readonly ConcurrentDictionary<string, IDynoProcess> _running = new();
    private readonly SetUpOnce<string> _stack;
    // The dyno seccomp filter as crun compiled it for the first dyno (the same profile for every dyno), given to the
    // next ones ready-made: compiling it is a good part of what creating a container costs.
    private byte[]? _compiledSeccomp;

    public ContainerDynoRuntime(ContainerSettings settings, ContainerHost host, IDynoNetwork network, ISlugBlobs slugs)
    {
        if (!host.Ready) throw new InvalidOperationException(string.Join(Environment.NewLine, host.Problems));
        _settings = settings;
        _oci = new OciRuntime(host.OciRuntime!, Path.Combine(settings.Directory, "oci"));
        _conmon = host.Conmon!;
        _network = network;
        _layers = new SlugLayers(Path.Combine(settings.Directory, "layers"), slugs);
        _bundles = Path.Combine(settings.Directory, "bundles");
        _sockets = Path.Combine(settings.Directory, "sockets");
        _stack = new SetUpOnce<string>(SetUpAsync);
    }

    /// <summary>For the platform's start-up line: which OCI runtime and network dynos get.</summary>
    public string Description => $"containers ({_oci.Name} with conmon, {_settings.Network.ToString().ToLowerInvariant()} network" +
                                 (_settings.Network == DynoNetworkMode.Bridge ? $" {_settings.Bridge} {_settings.Subnet})" : ")");

    public async Task<IDynoProcess> StartAsync(DynoSpec spec, DynoOutput output, CancellationToken cancellation)
    {
        var timings = StartTimings.Begin();
        var (bundle, endpoint) = await PrepareAsync(spec, attached: false, tty: false, cancellation);
        try
        {
            await LaunchAsync(spec, bundle, cancellation);
        }
        catch
        {
            await CleanUpAsync(spec.Id, spec, endpoint);
            throw;
        }
        timings?.Report($"dyno {spec.Id}");
        return Track(new ContainerDyno(this, spec, bundle, endpoint, output));
    }

    public async Task<IAttachedDyno> StartAttachedAsync(DynoSpec spec, bool tty, CancellationToken cancellation)
    {
        var (bundle, endpoint) = await PrepareAsync(spec, attached: true, tty, cancellation);
        try
        {
            // In the foreground, as the caller's child: the dyno's stdio are the runtime's, which are our pipes.
            var start = new ProcessStartInfo(_oci.Path)
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var arg in new[] { "--root", _oci.StateRoot, "run", "--bundle", bundle, spec.Id }) start.ArgumentList.Add(arg);
            var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_oci.Name}.");
            return (IAttachedDyno)Track(new AttachedContainerDyno(this, spec, endpoint, process));
        }
        catch
        {
            await CleanUpAsync(spec.Id, spec, endpoint);
            throw;
        }
    }

    public async Task<IReadOnlyList<AdoptedDyno>> RecoverAsync(Func<DynoSpec, DynoOutput?> adopt)
    {
        await _stack.GetAsync();
        var adopted = new List<AdoptedDyno>();
        var kept = new HashSet<string>();
        var keptNetworks = new HashSet<string>();
        foreach (var bundle in Directory.EnumerateDirectories(_bundles))
        {
            var id = Path.GetFileName(bundle);
            var record = BundleFiles.ReadRecord(bundle);
            var status = await _oci.StatusAsync(id);
            var monitored = BundleFiles.ReadNumber(Path.Combine(bundle, "conmon.pid")) is { } conmon && Libc.ProcessExists(conmon);
            var exited = File.Exists(Path.Combine(bundle, "exit", id));
            if (record is { Attached: false } && status == "running" && monitored && !exited && adopt(record.Spec) is { } output)
            {
                _layers.Adopt(record.Spec);
                kept.Add(id);
                keptNetworks.Add(record.Endpoint.NetworkId ?? id);
                adopted.Add(new AdoptedDyno(record.Spec, Track(new ContainerDyno(this, record.Spec, bundle, record.Endpoint, output)), record.StartedAt));
                continue;
            }
            await CleanUpAsync(id, spec: null, record?.Endpoint);
        }
        // Containers whose bundle is gone (removed by hand, a crash mid-clean-up).
        var listed = await _oci.RunAsync("list", "--quiet");
        foreach (var id in listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (!kept.Contains(id) && id != "ID") await CleanUpAsync(id, spec: null, endpoint: null);
        await _network.ReleaseLeftoversAsync(keptNetworks);
        _layers.RemoveUnused();
        return adopted;
    }

    public async Task ShutdownAsync()
    {
        await _network.ReleaseSparesAsync();
        // Dynos that have exited may still be on their way out of the table; running ones keep the network.
        if (_stack.Value is not null && _running.Values.All(p => p.Exited.IsCompleted)) await _network.TearDownAsync();
    }

    private IDynoProcess Track(IDynoProcess process)
    {
        var key = Guid.NewGuid().ToString();
        _running[key] = process;
        _ = process.Exited.ContinueWith(_ => _running.TryRemove(key, out var _), TaskScheduler.Default);
        return process;
    }

    public void Forget(string appId) => _layers.Forget(appId);

    private async Task<string> SetUpAsync()
    {
        Directory.CreateDirectory(_settings.Directory, (UnixFileMode)Convert.ToInt32("711", 8));
        Directory.CreateDirectory(_bundles, (UnixFileMode)Convert.ToInt32("700", 8));
        Directory.CreateDirectory(_sockets, (UnixFileMode)Convert.ToInt32("700", 8));
        await _network.SetUpAsync();
        return StackRoot.Ensure(_settings.Directory);
    }

    internal string CgroupsPath(string id) => $"/{_settings.CgroupParent}/{id}";

    /// <summary>Everything a dyno needs before its runtime is called: slug layer, writable layer, network, bundle.</summary>
    private async Task<(string Bundle, DynoEndpoint Endpoint)> PrepareAsync(DynoSpec spec, bool attached, bool tty, CancellationToken cancellation)
    {
        var timings = StartTimings.Current;
        string stack;
        using (timings?.Step("ready")) stack = await _stack.GetAsync();
        var bundle = Path.Combine(_bundles, spec.Id);
        Directory.CreateDirectory(bundle, (UnixFileMode)Convert.ToInt32("700", 8));
        DynoEndpoint? endpoint = null;
        Task<DynoEndpoint>? attaching = null;
        var layerTaken = false;
        try
        {
            // The network (a spare at once, or made on demand) while the layers are prepared: neither needs the other.
            attaching = AttachAsync(spec.Id, timings, cancellation);
            string layer;
            using (timings?.Step("layer")) layer = await _layers.AcquireAsync(spec, cancellation);
            layerTaken = true;
            // /app's writable layer on a tmpfs of the dyno size's disk cap: a dyno cannot fill the host's disk, and
            // the pages count against its own memory.
            var scratch = Path.Combine(bundle, "scratch");
            using (timings?.Step("tmpfs"))
            {
                Directory.CreateDirectory(scratch);
                Libc.MountTmpfs(scratch, $"size={spec.Size.AppDiskMb}m,mode=0755");
                foreach (var dir in new[] { "upper", "work" })
                {
                    var path = Path.Combine(scratch, dir);
                    Directory.CreateDirectory(path);
                    Libc.Chown(path, spec.Uid, spec.Uid);
                }
                Directory.CreateDirectory(Path.Combine(bundle, "exit"));
                Directory.CreateDirectory(Path.Combine(bundle, "persist"));
            }
            endpoint = await attaching;

            using var bundleStep = timings?.Step("bundle");
            var environment = DynoEnvironment.For(spec, "/app", DynoEnvironment.ListensOnPort(spec.Type) ? endpoint.Port : null);
            var command = DynoCommand.Argv(attached, tty);
            OciBundle.Write(bundle, stack, layer, CgroupsPath(spec.Id), spec, endpoint, command, environment, compiledSeccomp: _compiledSeccomp);
            var record = new BundleFiles.Record(spec with { ConfigVars = new Dictionary<string, string>() }, endpoint, attached, DateTimeOffset.UtcNow);
            File.WriteAllText(Path.Combine(bundle, "dyno.json"), JsonSerializer.Serialize(record, BundleFiles.Json));
            return (bundle, endpoint);
        }
        catch
        {
            // A network being made when another step failed is released with the rest (one that failed released itself).
            if (endpoint is null && attaching is not null)
                try { endpoint = await attaching; }
                catch (Exception) { /* nothing held */ }
            await CleanUpAsync(spec.Id, layerTaken ? spec : null, endpoint);
            throw;
        }
    }

    private async Task<DynoEndpoint> AttachAsync(string id, StartTimings? timings, CancellationToken cancellation)
    {
        using (timings?.Step("network")) return await _network.AttachAsync(id, cancellation);
    }

    /// <summary>conmon creates the container (and daemonizes, so the dyno outlives us); then the runtime starts it.</summary>
    private async Task LaunchAsync(DynoSpec spec, string bundle, CancellationToken cancellation)
    {
        var id = spec.Id;
        string[] args =
        [
            "--api-version", "1", "-c", id, "-u", id, "-n", $"{spec.AppName}.{spec.Name}",
            "-r", _oci.Path, "--runtime-arg", "--root=" + _oci.StateRoot,
            "-b", bundle, "-p", Path.Combine(bundle, "pidfile"), "--conmon-pidfile", Path.Combine(bundle, "conmon.pid"),
            "--exit-dir", Path.Combine(bundle, "exit"), "--persist-dir", Path.Combine(bundle, "persist"),
            // Without a socket directory conmon exits silently.
            "--socket-dir-path", _sockets,
            "-l", "k8s-file:" + Path.Combine(bundle, "ctr.log"), "--log-size-max", (8 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
            "--log-level", "error",
        ];
        var timings = StartTimings.Current;
        // Woken as soon as the runtime writes its pid file (inotify), polled as well for everything else.
        var written = new SemaphoreSlim(0);
        using var watcher = WatchPidFile(bundle, written);
        var spawned = DateTime.UtcNow;
        // conmon's own messages go to a file: it outlives this process, so it must not hold our pipes.
        var launching = HostCommand.RunAsync("/bin/sh",
            ["-c", "exec \"$0\" \"$@\" </dev/null >>\"$NUVEM_CONMON_LOG\" 2>&1", _conmon, .. args],
            environment: new Dictionary<string, string> { ["NUVEM_CONMON_LOG"] = Path.Combine(bundle, "conmon.log") },
            cancellation: cancellation);

        // conmon's first process returns once it has forked the monitor, before the runtime has created the
        // container: the runtime's pid file says when it has. Watched from the start, not after conmon returns.
        var pidFile = Path.Combine(bundle, "pidfile");
        var conmonPidFile = Path.Combine(bundle, "conmon.pid");
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(pidFile) || new FileInfo(pidFile).Length == 0)
        {
            if (launching.IsCompleted && await launching is { Succeeded: false } launched)
                throw new InvalidOperationException($"conmon failed ({launched.ExitCode}): {BundleFiles.Problem(bundle)}");
            var conmonGone = BundleFiles.ReadNumber(conmonPidFile) is { } pid && !Libc.ProcessExists(pid);
            if (File.Exists(Path.Combine(bundle, "exit", id)) || conmonGone || deadline.Elapsed > TimeSpan.FromSeconds(30))
                throw new InvalidOperationException($"The {_oci.Name} container could not be created: {BundleFiles.Problem(bundle)}");
            await written.WaitAsync(5, cancellation);
        }
        // Its exit status no longer matters (the container exists), but a failure to be awaited is observed.
        _ = launching.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        if (_compiledSeccomp is null) KeepCompiledSeccomp(id);
        if (timings is not null)
        {
            // From the files' times (as fine as the file system keeps them): conmon up, then the container created.
            var monitor = File.GetLastWriteTimeUtc(conmonPidFile);
            var created = File.GetLastWriteTimeUtc(pidFile);
            timings.Add("conmon", (monitor - spawned).TotalMilliseconds);
            timings.Add("create", (created - monitor).TotalMilliseconds);
            timings.Add("noticed", (DateTime.UtcNow - created).TotalMilliseconds);
        }
        using (timings?.Step("start")) await _oci.StartAsync(id);
    }

    /// <returns>A watcher that releases <paramref name="written"/> whenever the bundle's pid file is created or written,
    /// or null when one cannot be had (inotify instances used up): the caller polls anyway.</returns>
    private static FileSystemWatcher? WatchPidFile(string bundle, SemaphoreSlim written)
    {
        try
        {
            var watcher = new FileSystemWatcher(bundle, "pidfile") { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            FileSystemEventHandler wake = (_, _) => written.Release();
            watcher.Created += wake;
            watcher.Changed += wake;
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Keeps the filter crun compiled for the container <paramref name="id"/> from the dyno seccomp profile (crun keeps
    /// it in the container's state, where its <c>exec</c> finds it): raw BPF, a whole number of 8-byte instructions.
    /// </summary>
    private void KeepCompiledSeccomp(string id)
    {
        if (_oci.Name != "crun") return;
        try
        {
            var filter = File.ReadAllBytes(System.IO.Path.Combine(_oci.StateRoot, id, "seccomp.bpf"));
            if (filter.Length > 0 && filter.Length % 8 == 0) _compiledSeccomp = filter;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Removes one dyno's traces: its container and cgroups, network, writable layer and bundle.</summary>
    /// <remarks>Never throws: a dyno that is gone must be reported gone even if a trace of it could not be removed.</remarks>
    internal async Task CleanUpAsync(string id, DynoSpec? spec, DynoEndpoint? endpoint)
    {
        try
        {
            await RemoveAsync(id, spec, endpoint);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"dyno {id}: clean-up incomplete: {e.Message}");
        }
    }

    private async Task RemoveAsync(string id, DynoSpec? spec, DynoEndpoint? endpoint)
    {
        await _oci.DeleteAsync(id);
        await _network.DetachAsync(id, endpoint);
        var bundle = Path.Combine(_bundles, id);
        var scratch = Path.Combine(bundle, "scratch");
        if (BundleFiles.IsMountPoint(scratch)) Libc.UnmountLazily(scratch);
        try
        {
            if (Directory.Exists(bundle)) Directory.Delete(bundle, recursive: true);
            var socket = Path.Combine(_sockets, id);
            if (File.Exists(socket) || Directory.Exists(socket)) File.Delete(socket);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if (spec is not null) _layers.Release(spec);
    }

    /// <summary>SIGTERM to every process of the container, SIGKILL after the grace.</summary>
    internal Task<bool> StopContainerAsync(string id, Task exited, TimeSpan grace) =>
        DynoStop.GracefullyAsync(exited, grace, () => _oci.KillAsync(id, "TERM"), () => _oci.KillAsync(id, "KILL"));

}
