using System.Diagnostics;
using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>
/// Dynos as plain processes on this host: the slug unpacked into a directory of the dyno's own, the command run
/// in a session of its own (so signals reach everything it starts), as the app's uid and within the dyno size's
/// memory/CPU/process limits when the platform runs as root, listening on a distinct loopback port.
/// No filesystem or network isolation: that is the container runtime's job.
/// </summary>
public sealed class ProcessDynoRuntime(string directory, HostSandbox sandbox, ISlugBlobs slugs) : IDynoRuntime
{
    public async Task<IDynoProcess> StartAsync(DynoSpec spec, DynoOutput output, CancellationToken cancellation)
    {
        var (process, address, root, jail) = await LaunchAsync(spec, attached: false, tty: false, cancellation);
        process.StandardInput.Close();
        return new Running(process, address, root, jail, output.App);
    }

    public async Task<IAttachedDyno> StartAttachedAsync(DynoSpec spec, bool tty, CancellationToken cancellation)
    {
        var (process, address, root, jail) = await LaunchAsync(spec, attached: true, tty, cancellation);
        return new Attached(process, address, root, jail);
    }

    private async Task<(Process Process, Uri? Address, string Root, Jail Jail)> LaunchAsync(DynoSpec spec, bool attached, bool tty, CancellationToken cancellation)
    {
        var root = Path.Combine(directory, spec.Id);
        Directory.CreateDirectory(directory, (UnixFileMode)Convert.ToInt32("711", 8));
        Directory.CreateDirectory(root, (UnixFileMode)Convert.ToInt32("711", 8));
        await SlugUnpacker.ExtractAsync(await slugs.LocalFileAsync(spec.Slug, cancellation), root, uid: null, cancellation);
        var appDir = Path.Combine(root, "app");
        Directory.CreateDirectory(appDir);
        // A /tmp of its own: dynos of different apps (different uids) must not trip over each other's files.
        var tmp = Path.Combine(root, "tmp");
        Directory.CreateDirectory(tmp);
        sandbox.GiveTo(appDir, spec.Uid);
        sandbox.GiveTo(tmp, spec.Uid);

        var port = DynoEnvironment.ListensOnPort(spec.Type) ? TcpProbe.FreeLoopbackPort() : (int?)null;
        var environment = DynoEnvironment.For(spec, appDir, port, tmp);

        var jail = sandbox.Open("dyno-" + spec.Id, spec.Uid, new JailLimits(spec.Size.MemoryMb, spec.Size.Cpu, spec.Size.Pids));
        var command = DynoCommand.Argv(attached, tty);
        var (file2, args) = jail.Wrap(command[0], command.Skip(1).ToList());
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = appDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(file2);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Clear();
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the dyno.");
        await File.WriteAllTextAsync(Path.Combine(root, "pid"), process.Id.ToString(), cancellation);
        return (process, port is null ? null : new Uri($"http://127.0.0.1:{port}"), root, jail);
    }

    public Task<IReadOnlyList<AdoptedDyno>> RecoverAsync(Func<DynoSpec, DynoOutput?> adopt)
    {
        CleanUpLeftovers();
        return Task.FromResult<IReadOnlyList<AdoptedDyno>>([]);
    }

    public Task ShutdownAsync() => Task.CompletedTask;

    /// <summary>Each plain-process dyno unpacks its own slug and removes it when it ends: nothing is kept per app.</summary>
    public void Forget(string appId) { }

    private void CleanUpLeftovers()
    {
        if (!Directory.Exists(directory)) return;
        foreach (var dyno in Directory.EnumerateDirectories(directory))
        {
            var pidFile = Path.Combine(dyno, "pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) ProcessGroup.Signal(pid, ProcessGroup.SigKill);
            try { Directory.Delete(dyno, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private sealed class Running(Process process, Uri? address, string root, Jail jail, Func<string, Task> output)
        : DynoProcess(process, address, root, jail, () => PumpBoth(process, output))
    {
        private static Task PumpBoth(Process process, Func<string, Task> output)
        {
            // One line at a time: the receiver (a log file, a push) need not be thread-safe.
            var gate = new SemaphoreSlim(1, 1);
            return Task.WhenAll(Pump(process.StandardOutput, output, gate), Pump(process.StandardError, output, gate));
        }

        private static async Task Pump(StreamReader reader, Func<string, Task> output, SemaphoreSlim gate)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                await gate.WaitAsync();
                try { await output(line); }
                catch (Exception) { /* the log must never take a dyno down */ }
                finally { gate.Release(); }
            }
        }
    }

    private sealed class Attached(Process process, Uri? address, string root, Jail jail)
        : DynoProcess(process, address, root, jail, () => Task.CompletedTask), IAttachedDyno
    {
        public Stream Input => Process.StandardInput.BaseStream;
        public Stream Output => Process.StandardOutput.BaseStream;
    }

    private abstract class DynoProcess : IDynoProcess
    {
        private readonly Process _process;
        private readonly string _root;
        private readonly Jail _jail;

        protected Process Process => _process;

        protected DynoProcess(Process process, Uri? address, string root, Jail jail, Func<Task> pumps)
        {
            _process = process;
            _root = root;
            _jail = jail;
            Address = address;
            var pumping = pumps();
            Exited = Task.Run(async () =>
            {
                await process.WaitForExitAsync();
                ProcessGroup.Signal(process.Id, ProcessGroup.SigKill); // what the command left behind goes with it
                await Task.WhenAny(pumping, Task.Delay(TimeSpan.FromSeconds(2)));
                var code = process.ExitCode;
                _jail.Dispose();
                try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                return code;
            });
        }

        public Uri? Address { get; }
        public Task<int> Exited { get; }

        public Task<bool> StopAsync(TimeSpan grace) => DynoStop.GracefullyAsync(Exited, grace,
            () => ProcessGroup.Signal(_process.Id, ProcessGroup.SigTerm), () => ProcessGroup.Signal(_process.Id, ProcessGroup.SigKill));

        public Task<bool> AcceptsConnectionsAsync(CancellationToken cancellation) =>
            Address is null ? Task.FromResult(true) : TcpProbe.AcceptsAsync(Address.Host, Address.Port, cancellation);
    }
}
