using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using Nuvem.Platform.Builds;

namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>
/// Dynos as plain processes on this host: the slug unpacked into a directory of the dyno's own, the command run
/// in a session of its own (so signals reach everything it starts), as the app's uid and within the dyno size's
/// memory/CPU/process limits when the platform runs as root, listening on a distinct loopback port.
/// No filesystem or network isolation: that is the container runtime's job.
/// </summary>
public sealed class ProcessDynoRuntime(string directory, BuildSandbox sandbox) : IDynoRuntime
{
    public async Task<IDynoProcess> StartAsync(DynoSpec spec, Func<string, Task> output, CancellationToken cancellation)
    {
        var root = Path.Combine(directory, spec.Id);
        Directory.CreateDirectory(directory, (UnixFileMode)Convert.ToInt32("711", 8));
        Directory.CreateDirectory(root, (UnixFileMode)Convert.ToInt32("711", 8));
        await using (var file = File.OpenRead(spec.SlugPath))
        await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            await TarFile.ExtractToDirectoryAsync(gzip, root, overwriteFiles: true, cancellation);
        var appDir = Path.Combine(root, "app");
        sandbox.GiveTo(appDir, spec.Uid);

        var port = spec.Type == "web" ? FreePort() : (int?)null;
        var environment = new Dictionary<string, string>(spec.ConfigVars)
        {
            ["HOME"] = appDir,
            ["PATH"] = $"{appDir}/bin:/usr/local/bin:/usr/bin:/bin",
            ["LANG"] = spec.ConfigVars.GetValueOrDefault("LANG", "C.UTF-8"),
            ["DYNO"] = spec.Name,
            ["PS"] = spec.Name,
            ["NUVEM_DYNO_COMMAND"] = spec.Command,
        };
        if (port is { } p) environment["PORT"] = p.ToString();

        var jail = sandbox.Open("dyno-" + spec.Id, spec.Uid, new BuildResources(spec.Size.MemoryMb, spec.Size.Cpu, spec.Size.Pids));
        // .profile.d scripts set the app's environment up first, as on Heroku; then the command, as `sh -c` would run it.
        const string Launcher = "cd \"$HOME\"; for f in \"$HOME\"/.profile.d/*.sh; do [ -r \"$f\" ] && . \"$f\"; done; unset f; eval \"$NUVEM_DYNO_COMMAND\"";
        var (file2, args) = jail.Wrap("/bin/sh", ["-c", Launcher]);
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
        process.StandardInput.Close();
        await File.WriteAllTextAsync(Path.Combine(root, "pid"), process.Id.ToString(), cancellation);
        return new Running(process, port is null ? null : new Uri($"http://127.0.0.1:{port}"), root, jail, output);
    }

    public Task CleanUpLeftoversAsync()
    {
        if (!Directory.Exists(directory)) return Task.CompletedTask;
        foreach (var dyno in Directory.EnumerateDirectories(directory))
        {
            var pidFile = Path.Combine(dyno, "pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) ProcessGroup.Signal(pid, ProcessGroup.SigKill);
            try { Directory.Delete(dyno, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Running : IDynoProcess
    {
        private readonly Process _process;
        private readonly string _root;
        private readonly Jail _jail;

        public Running(Process process, Uri? address, string root, Jail jail, Func<string, Task> output)
        {
            _process = process;
            _root = root;
            _jail = jail;
            Address = address;
            var pumps = Task.WhenAll(Pump(process.StandardOutput, output), Pump(process.StandardError, output));
            Exited = Task.Run(async () =>
            {
                await process.WaitForExitAsync();
                ProcessGroup.Signal(process.Id, ProcessGroup.SigKill); // what the command left behind goes with it
                await Task.WhenAny(pumps, Task.Delay(TimeSpan.FromSeconds(2)));
                var code = process.ExitCode;
                _jail.Dispose();
                try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                return code;
            });
        }

        public Uri? Address { get; }
        public Task<int> Exited { get; }

        public async Task<bool> StopAsync(TimeSpan grace)
        {
            if (Exited.IsCompleted) return false;
            ProcessGroup.Signal(_process.Id, ProcessGroup.SigTerm);
            if (await Task.WhenAny(Exited, Task.Delay(grace)) == Exited) return false;
            ProcessGroup.Signal(_process.Id, ProcessGroup.SigKill);
            await Exited;
            return true;
        }

        public async Task<bool> AcceptsConnectionsAsync(CancellationToken cancellation)
        {
            if (Address is null) return true;
            try
            {
                using var client = new TcpClient();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(TimeSpan.FromSeconds(1));
                await client.ConnectAsync(Address.Host, Address.Port, timeout.Token);
                return true;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return false;
            }
        }

        private static async Task Pump(StreamReader reader, Func<string, Task> output)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                try { await output(line); }
                catch (Exception) { /* the log must never take a dyno down */ }
            }
        }
    }
}
