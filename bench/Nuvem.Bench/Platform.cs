using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Text;

namespace Nuvem.Bench;

/// <summary>A real nuvemd (the Release build) on loopback with a scratch data directory, for one benchmark.</summary>
internal sealed class Platform : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Dictionary<string, string> _environment;
    private readonly StringBuilder _output = new();

    private Platform(Process process, Dictionary<string, string> environment, string dataDir, int apiPort, int routerPort, string token)
    {
        _process = process;
        _environment = environment;
        RouterPort = routerPort;
        DataDir = dataDir;
        ApiPort = apiPort;
        Token = token;
    }

    public string DataDir { get; }
    public int ApiPort { get; }
    public int RouterPort { get; }
    public string Token { get; }
    public string CaFile => Path.Combine(DataDir, "tls", "ca.pem");
    /// <summary>nuvemd's own process id, for measuring its memory.</summary>
    public int ProcessId => _process.Id;
    /// <summary>This platform's dyno bridge and addresses (the container runtime's bridge network).</summary>
    public string Bridge => _environment["NUVEM_DYNO_BRIDGE"];
    public string Subnet => _environment["NUVEM_DYNO_SUBNET"];

    public static string Repo { get; } = FindRepo();

    private static string ServerDll => Path.Combine(Repo, "src/Nuvem.Server/bin/Release/net10.0/nuvemd.dll");

    /// <param name="environment">More NUVEM_* settings (e.g. NUVEM_DYNO_RUNTIME=process, NUVEM_DYNO_SIZES); they win over the defaults here.</param>
    public static async Task<Platform> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var dataDir = Directory.CreateTempSubdirectory("nuvem-bench-").FullName;
        var apiPort = FreePort();
        var routerPort = FreePort();
        var token = "nuvem_bench_" + Guid.NewGuid().ToString("N");
        var settings = new Dictionary<string, string>
        {
            ["NUVEM_DATA_DIR"] = dataDir, ["NUVEM_API_PORT"] = apiPort.ToString(), ["NUVEM_ROUTER_PORT"] = routerPort.ToString(), ["NUVEM_RENDEZVOUS_PORT"] = FreePort().ToString(),
            ["NUVEM_BIND_ADDRESS"] = "localhost", ["NUVEM_ADMIN_TOKEN"] = token, ["NUVEM_ADMIN_PASSWORD"] = "bench-password",
            // A bridge and a /24 of its own (253 dynos), away from the default nuvem0 of a real installation on this
            // machine and from the tests' 10.200-239.x.0/24: a benchmark never touches another platform's network.
            ["NUVEM_DYNO_BRIDGE"] = "nvbench" + Guid.NewGuid().ToString("N")[..6],
            ["NUVEM_DYNO_SUBNET"] = $"10.250.{Random.Shared.Next(0, 256)}.0/24",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) settings[key] = value;
        var start = new ProcessStartInfo("dotnet", [ServerDll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in settings) start.Environment[key] = value;
        var process = Process.Start(start)!;
        var platform = new Platform(process, settings, dataDir, apiPort, routerPort, token);
        process.OutputDataReceived += (_, e) => platform.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => platform.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = platform.Client();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                await platform.DisposeAsync();
                throw new InvalidOperationException($"nuvemd exited with {process.ExitCode}:\n{platform.Output}");
            }
            try
            {
                if ((await client.GetAsync("/account")).IsSuccessStatusCode) return platform;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                await platform.DisposeAsync();
                throw new TimeoutException($"nuvemd did not start:\n{platform.Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>What nuvemd printed (its last 200 lines), for a benchmark's error message.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > 64 * 1024) _output.Remove(0, _output.Length - 32 * 1024);
        }
    }

    public HttpClient Client() => Client($"https://localhost:{ApiPort}", Token);

    public static HttpClient Client(string baseUrl, string? token)
    {
        // The benchmark measures request handling, not certificate checking: connections are kept alive.
        var handler = new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        var client = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.heroku+json; version=3");
        if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nuvem.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Run from inside the repository.");
    }

    /// <summary>
    /// Stops nuvemd the way an operator does (SIGTERM: it stops its dynos and removes its bridge), then runs
    /// <c>nuvemd --stop-dynos</c> on the same settings: container dynos outlive a killed platform on purpose, and a
    /// benchmark must leave no containers, bridges, namespaces or mounts behind even when the shutdown ran out of time.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            kill(_process.Id, 15);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try { await _process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
        }
        if (Directory.Exists(Path.Combine(DataDir, "dynos")))
        {
            var start = new ProcessStartInfo("dotnet", [ServerDll, "--stop-dynos"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var (key, value) in _environment) start.Environment[key] = value;
            using var stop = Process.Start(start)!;
            var said = Task.WhenAll(stop.StandardOutput.ReadToEndAsync(), stop.StandardError.ReadToEndAsync());
            await stop.WaitForExitAsync();
            if (stop.ExitCode != 0) Console.Error.WriteLine($"nuvemd --stop-dynos failed ({stop.ExitCode}): {string.Concat(await said)}");
        }
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
