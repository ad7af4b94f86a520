using System.Diagnostics;
using Nuvem.Platform.Dynos.Network;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>A dyno run by conmon: its log followed, its memory watched, its exit noticed, its traces removed.</summary>
internal sealed class ContainerDyno : IDynoProcess
{
    private static readonly TimeSpan R14Interval = TimeSpan.FromSeconds(20);

    private readonly ContainerDynoRuntime _runtime;
    private readonly DynoSpec _spec;
    private readonly string _bundle;
    private readonly DynoEndpoint _endpoint;
    private readonly DynoOutput _output;

    public ContainerDyno(ContainerDynoRuntime runtime, DynoSpec spec, string bundle, DynoEndpoint endpoint, DynoOutput output)
    {
        _runtime = runtime;
        _spec = spec;
        _bundle = bundle;
        _endpoint = endpoint;
        _output = output;
        Address = DynoEnvironment.ListensOnPort(spec.Type) ? endpoint.Address : null;
        Exited = Task.Run(WatchAsync);
    }

    public Uri? Address { get; }
    public Task<int> Exited { get; }

    public Task<bool> StopAsync(TimeSpan grace) => _runtime.StopContainerAsync(_spec.Id, Exited, grace);

    public Task<bool> AcceptsConnectionsAsync(CancellationToken cancellation) =>
        Address is null ? Task.FromResult(true) : TcpProbe.AcceptsAsync(_endpoint.Host, _endpoint.Port, cancellation);

    private async Task<int> WatchAsync()
    {
        var log = new ContainerLog(Path.Combine(_bundle, "ctr.log"), Path.Combine(_bundle, "log.position"));
        var memory = new CgroupMemory(_runtime.CgroupsPath(_spec.Id));
        var limit = (long)_spec.Size.MemoryMb * 1024 * 1024;
        var exitFile = Path.Combine(_bundle, "exit", _spec.Id);
        Func<string, DateTimeOffset?, Task> line = _output.TimedApp is { } timed
            ? (text, at) => at is { } written ? timed(text, written) : _output.App(text)
            : (text, _) => _output.App(text);
        var oomKills = memory.OomKills();
        var reportedOom = false;
        var lastR14 = DateTimeOffset.MinValue;
        var clock = Stopwatch.StartNew();
        var lastCheck = TimeSpan.Zero;
        int? code = null;
        while (code is null)
        {
            var read = await log.PollAsync(line, _output.Stored);
            if (File.Exists(exitFile))
            {
                while (await log.PollAsync(line, _output.Stored)) { }
                code = BundleFiles.ReadNumber(exitFile) ?? 1;
                break;
            }
            if (clock.Elapsed - lastCheck > TimeSpan.FromMilliseconds(500))
            {
                lastCheck = clock.Elapsed;
                var kills = memory.OomKills();
                if (kills > oomKills) { oomKills = kills; reportedOom = true; _output.Platform("Error R15 (Memory quota vastly exceeded)"); }
                if (memory.Unreclaimable() is { } used && used >= limit * 9 / 10 && DateTimeOffset.UtcNow - lastR14 > R14Interval)
                {
                    lastR14 = DateTimeOffset.UtcNow;
                    _output.Platform($"Process running mem={used / (1024 * 1024)}M({100.0 * used / limit:0.0}%)");
                    _output.Platform("Error R14 (Memory quota exceeded)");
                }
                // A monitor killed by hand leaves no exit file: the dyno is then as good as gone.
                if (BundleFiles.ReadNumber(Path.Combine(_bundle, "conmon.pid")) is { } conmon && !Libc.ProcessExists(conmon) && !File.Exists(exitFile))
                {
                    await _runtime.Oci.KillAsync(_spec.Id, "KILL");
                    code = 137;
                    break;
                }
            }
            if (!read) await Task.Delay(50);
        }
        // The cgroup's counter sees every OOM kill; conmon's marker is there for the main process where it does not.
        if (memory.OomKills() > oomKills || (!reportedOom && File.Exists(Path.Combine(_bundle, "persist", "oom"))))
            _output.Platform("Error R15 (Memory quota vastly exceeded)");
        await _runtime.CleanUpAsync(_spec.Id, _spec, _endpoint);
        return code.Value;
    }
}
