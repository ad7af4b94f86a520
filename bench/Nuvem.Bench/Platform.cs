using System.Diagnostics;
using System.Net;
using System.Net.Security;

namespace Nuvem.Bench;

/// <summary>A real nuvemd (the Release build) on loopback with a scratch data directory, for one benchmark.</summary>
internal sealed class Platform : IAsyncDisposable
{
    private readonly Process _process;

    private Platform(Process process, string dataDir, int apiPort, int routerPort, string token)
    {
        _process = process;
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

    public static string Repo { get; } = FindRepo();

    public static async Task<Platform> StartAsync()
    {
        var dataDir = Directory.CreateTempSubdirectory("nuvem-bench-").FullName;
        var apiPort = FreePort();
        var routerPort = FreePort();
        var token = "nuvem_bench_" + Guid.NewGuid().ToString("N");
        var process = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(Repo, "src/Nuvem.Server/bin/Release/net10.0/nuvemd.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["NUVEM_DATA_DIR"] = dataDir, ["NUVEM_API_PORT"] = apiPort.ToString(), ["NUVEM_ROUTER_PORT"] = routerPort.ToString(), ["NUVEM_RENDEZVOUS_PORT"] = FreePort().ToString(),
                ["NUVEM_BIND_ADDRESS"] = "localhost", ["NUVEM_ADMIN_TOKEN"] = token, ["NUVEM_ADMIN_PASSWORD"] = "bench-password",
            },
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var platform = new Platform(process, dataDir, apiPort, routerPort, token);
        using var client = platform.Client();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await client.GetAsync("/account")).IsSuccessStatusCode) return platform;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("nuvemd did not start");
            await Task.Delay(100);
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

    public ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return ValueTask.CompletedTask;
    }
}
