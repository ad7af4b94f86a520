using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Nuvem.Tests.Infrastructure;

/// <summary>
/// A real nuvemd process on loopback with its own data directory and ports. Can be killed with SIGKILL and
/// started again on the same data directory, which is how restart and durability are tested.
/// </summary>
public sealed class NuvemServer : IAsyncDisposable
{
    public const string AdminEmail = "admin@nuvem.test";
    public const string AdminPassword = "admin-password-123";

    private Process? _process;
    private readonly StringBuilder _output = new();

    // Servers of one test run (and of another run on the same machine) each get a bridge and a /24 of their own.
    private static int _network = Random.Shared.Next(0, 40 * 256);

    public NuvemServer(string? dataDir = null)
    {
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "nuvem-test-" + Guid.NewGuid().ToString("N")[..12]);
        ApiPort = Repo.FreePort();
        RouterPort = Repo.FreePort();
        RendezvousPort = Repo.FreePort();
        PostgresPort = Repo.FreePort();
        var network = Interlocked.Increment(ref _network) % (40 * 256);
        Bridge = "nvt" + Guid.NewGuid().ToString("N")[..8];
        Subnet = $"10.{200 + network / 256}.{network % 256}.0/24";
    }

    /// <summary>This server's dyno bridge and addresses (bridge network mode).</summary>
    public string Bridge { get; }
    public string Subnet { get; }

    public string DataDir { get; }

    /// <summary>More NUVEM_* settings for this server (e.g. small limits for a test).</summary>
    public Dictionary<string, string> Environment { get; } = new();
    public int ApiPort { get; }
    public int RouterPort { get; }
    public int RendezvousPort { get; }
    /// <summary>The platform's Postgres cluster (made by the first heroku-postgresql add-on).</summary>
    public int PostgresPort { get; }
    public string AdminToken { get; } = "nuvem_test_" + Guid.NewGuid().ToString("N");
    public string ApiUrl => $"https://localhost:{ApiPort}";
    public string CaFile => Path.Combine(DataDir, "tls", "ca.pem");
    /// <summary>The OCI runtime nuvemd chose for containers (it says so at start): crun, or runc where crun cannot run.</summary>
    public string OciRuntime => Output.Contains("containers (runc with") ? "runc" : "crun";

    /// <summary>nuvemd's process id on the host (0 before it starts).</summary>
    public int ProcessId => _process?.Id ?? 0;
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<NuvemServer> StartNewAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var server = new NuvemServer();
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) server.Environment[key] = value;
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var start = Nuvemd();
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        using var client = CreateClient(AdminToken);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"nuvemd exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await client.GetAsync("/account");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"nuvemd did not answer within 60 s:\n{Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Starts nuvemd expecting it to refuse to start: waits for it to exit (its output goes to <see cref="Output"/>).</summary>
    /// <returns>Its exit code.</returns>
    public async Task<int> RunUntilExitAsync(TimeSpan timeout)
    {
        using var process = Process.Start(Nuvemd())!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"nuvemd did not exit within {timeout}:\n{Output}");
        }
        process.WaitForExit(); // the last of its output
        return process.ExitCode;
    }

    /// <summary>SIGTERM, as an operator's Ctrl+C or service stop: nuvemd shuts down in order; waits until it has.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process is null || _process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
    }

    /// <summary>kill -9: no shutdown hooks, no flushing; whatever was committed must survive.</summary>
    public void Kill()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>nuvemd with this server's settings, its output captured.</summary>
    private ProcessStartInfo Nuvemd(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Repo.ServerDll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["NUVEM_DATA_DIR"] = DataDir;
        start.Environment["NUVEM_API_PORT"] = ApiPort.ToString();
        start.Environment["NUVEM_ROUTER_PORT"] = RouterPort.ToString();
        start.Environment["NUVEM_RENDEZVOUS_PORT"] = RendezvousPort.ToString();
        start.Environment["NUVEM_POSTGRES_PORT"] = PostgresPort.ToString();
        start.Environment["NUVEM_BIND_ADDRESS"] = "localhost";
        start.Environment["NUVEM_ADMIN_EMAIL"] = AdminEmail;
        start.Environment["NUVEM_ADMIN_PASSWORD"] = AdminPassword;
        start.Environment["NUVEM_ADMIN_TOKEN"] = AdminToken;
        start.Environment["NUVEM_DYNO_BRIDGE"] = Bridge;
        start.Environment["NUVEM_DYNO_SUBNET"] = Subnet;
        // The buildpacks tests make: the fixtures, and directories they create under the temporary directory.
        start.Environment["NUVEM_BUILDPACK_DIRS"] = $"{Path.Combine(Repo.Root, "tests", "Nuvem.Tests", "Fixtures", "buildpacks")}:{Path.TrimEndingDirectorySeparator(Path.GetTempPath())}";
        foreach (var (key, value) in Environment) start.Environment[key] = value;
        return start;
    }

    /// <summary>
    /// Dynos outlive a killed platform on purpose (the next one adopts them); a test that is done with its server
    /// stops them, and the network set-up, with <c>nuvemd --stop-dynos</c>.
    /// </summary>
    public async Task StopLeftoverDynosAsync()
    {
        if (!Directory.Exists(Path.Combine(DataDir, "dynos")) && !Directory.Exists(Path.Combine(DataDir, "addons"))) return;
        var start = Nuvemd("--stop-dynos");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"nuvemd --stop-dynos failed: {await output}{await error}");
    }

    public HttpClient CreateClient(string? token = null, string accept = "application/vnd.heroku+json; version=3")
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => Trusts(certificate, errors),
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(ApiUrl), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Accept.ParseAdd(accept);
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Trusts exactly the platform's CA: the same check a client given the CA file makes.</summary>
    public bool Trusts(X509Certificate? certificate, System.Net.Security.SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
        if (!File.Exists(CaFile)) return false; // the server writes it on first start
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(CaFile));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }

    public ApiClient Api(string? token = null) => new(CreateClient(token ?? AdminToken));

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        await StopLeftoverDynosAsync();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        await Task.CompletedTask;
    }
}

/// <summary>A thin JSON client for tests: every call returns status, parsed body and headers.</summary>
public sealed class ApiClient(HttpClient http) : IDisposable
{
    public HttpClient Http => http;

    public sealed record Reply(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers, string Text)
    {
        public JsonNode Json => Body ?? throw new InvalidOperationException($"No JSON body ({Status}): {Text}");
        public string? ErrorId => Body?["id"]?.GetValue<string>();
        public JsonArray Array => Json.AsArray();
    }

    public Task<Reply> Get(string path, Action<HttpRequestMessage>? configure = null) => Send(HttpMethod.Get, path, null, configure);
    public Task<Reply> Delete(string path) => Send(HttpMethod.Delete, path, null);
    public Task<Reply> Post(string path, object? body) => Send(HttpMethod.Post, path, body);
    public Task<Reply> Patch(string path, object? body) => Send(HttpMethod.Patch, path, body);

    /// <param name="body">An object to serialise, or a string sent as-is (for malformed-JSON tests).</param>
    public async Task<Reply> Send(HttpMethod method, string path, object? body, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var text = body as string ?? System.Text.Json.JsonSerializer.Serialize(body);
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        configure?.Invoke(request);
        using var response = await http.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if (response.Content.Headers.ContentType?.MediaType?.Contains("json") == true && content.Length > 0) json = JsonNode.Parse(content);
        return new Reply(response.StatusCode, json, response.Headers, content);
    }

    public void Dispose() => http.Dispose();
}
