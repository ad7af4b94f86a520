using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

// Measures the Platform API of a real nuvemd against baselines taken in the same run on the same machine:
//  - reads (GET /apps/{app}) against a bare Kestrel HTTPS endpoint returning a JSON body of the same size;
//  - writes (PATCH config-vars, which appends a release) against the floor any durable write pays here:
//    one SQLite transaction in WAL mode with synchronous=FULL.
// Ratios near 1 mean the platform adds little over what it cannot avoid.

if (args is ["--baseline-server", var baselineBodyFile, var portText])
{
    // Child mode: the baseline runs in its own process, like nuvemd, so both pay the same cross-process costs.
    await using var bare = await BaselineServer.StartAsync(File.ReadAllText(baselineBodyFile), int.Parse(portText));
    Console.WriteLine("ready");
    await Task.Delay(Timeout.Infinite);
}

var repo = FindRepo();
var iterations = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 2000;
Process? baselineProcess = null;
var dataDir = Directory.CreateTempSubdirectory("nuvem-bench-").FullName;
var apiPort = FreePort();
var token = "nuvem_bench_" + Guid.NewGuid().ToString("N");

var server = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(repo, "src/Nuvem.Server/bin/Release/net10.0/nuvemd.dll")])
{
    RedirectStandardOutput = true,
    RedirectStandardError = true,
    Environment =
    {
        ["NUVEM_DATA_DIR"] = dataDir, ["NUVEM_API_PORT"] = apiPort.ToString(), ["NUVEM_ROUTER_PORT"] = FreePort().ToString(),
        ["NUVEM_BIND_ADDRESS"] = "127.0.0.1", ["NUVEM_ADMIN_TOKEN"] = token, ["NUVEM_ADMIN_PASSWORD"] = "bench-password",
    },
})!;
server.OutputDataReceived += (_, _) => { };
server.ErrorDataReceived += (_, _) => { };
server.BeginOutputReadLine();
server.BeginErrorReadLine();

try
{
    using var platform = Client($"https://localhost:{apiPort}", token);
    await WaitUntilUp(platform);
    var create = await platform.PostAsync("/apps", Json("{\"name\":\"bench\"}"));
    create.EnsureSuccessStatusCode();
    var appBody = await (await platform.GetAsync("/apps/bench")).Content.ReadAsStringAsync();

    var bodyFile = Path.Combine(dataDir, "baseline-body.json");
    File.WriteAllText(bodyFile, appBody);
    var baselinePort = FreePort();
    baselineProcess = Process.Start(new ProcessStartInfo("dotnet", [typeof(Stats).Assembly.Location, "--baseline-server", bodyFile, baselinePort.ToString()])
        { RedirectStandardOutput = true })!;
    if (baselineProcess.StandardOutput.ReadLine() != "ready") throw new InvalidOperationException("baseline server did not start");
    using var bare = Client($"https://localhost:{baselinePort}", token: null);

    Console.WriteLine($"Nuvem API benchmark: {iterations} sequential requests per measurement, medians (p90) in microseconds, {Environment.ProcessorCount} cores");
    Console.WriteLine();
    var rows = new List<(string Name, Stats Subject, Stats Baseline)>();

    var readBase = await Measure(iterations, () => bare.GetAsync("/apps/bench"));
    var read = await Measure(iterations, () => platform.GetAsync("/apps/bench"));
    rows.Add(("GET /apps/{app}  vs bare Kestrel+TLS", read, readBase));
    var account = await Measure(iterations, () => platform.GetAsync("/account"));
    rows.Add(("GET /account  vs bare Kestrel+TLS", account, readBase));
    var missing = await Measure(iterations, () => platform.GetAsync("/nope"), allowErrors: true);
    rows.Add(("GET unknown path (404, no auth)  vs bare Kestrel+TLS", missing, readBase));

    var writeBase = MeasureSqliteFloor(Path.Combine(dataDir, "floor.db"), Math.Min(iterations, 500));
    var counter = 0;
    var write = await Measure(Math.Min(iterations, 500), () =>
        platform.PatchAsync("/apps/bench/config-vars", Json($"{{\"COUNTER\":\"{Interlocked.Increment(ref counter)}\"}}")));
    rows.Add(("PATCH config-vars (new release)  vs SQLite FULL commit", write, writeBase));

    var listBase = await Measure(iterations / 4, () => bare.GetAsync("/apps/bench"));
    var list = await Measure(iterations / 4, () => platform.SendAsync(Ranged("/apps/bench/releases", "version ..; max=15, order=desc")));
    rows.Add(("GET releases (Range max=15 desc, 500 releases)  vs bare", list, listBase));

    Console.WriteLine($"{"measurement",-58} {"nuvem",16} {"baseline",16} {"ratio",7}");
    foreach (var (name, subject, basis) in rows)
        Console.WriteLine($"{name,-58} {subject,16} {basis,16} {subject.Median / basis.Median,7:F2}");
}
finally
{
    baselineProcess?.Kill(entireProcessTree: true);
    server.Kill(entireProcessTree: true);
    server.WaitForExit();
    try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
}
return 0;

static async Task<Stats> Measure(int count, Func<Task<HttpResponseMessage>> request, bool allowErrors = false)
{
    for (var i = 0; i < Math.Min(100, count); i++) (await request()).Dispose(); // warm-up: JIT, connections, caches
    var samples = new double[count];
    for (var i = 0; i < count; i++)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await request();
        await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode && !allowErrors) throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {response.StatusCode}");
        samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
    }
    return Stats.Of(samples);
}

static Stats MeasureSqliteFloor(string path, int count)
{
    using var connection = new SqliteConnection($"Data Source={path}");
    connection.Open();
    using (var setup = connection.CreateCommand())
    {
        setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);";
        setup.ExecuteNonQuery();
    }
    var samples = new double[count];
    for (var i = 0; i < count; i++)
    {
        var started = Stopwatch.GetTimestamp();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO t (v) VALUES ($v)";
        insert.Parameters.AddWithValue("$v", new string('x', 200));
        insert.ExecuteNonQuery();
        transaction.Commit();
        samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
    }
    return Stats.Of(samples);
}

static HttpRequestMessage Ranged(string path, string range)
{
    var request = new HttpRequestMessage(HttpMethod.Get, path);
    request.Headers.TryAddWithoutValidation("Range", range);
    return request;
}

static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

static HttpClient Client(string baseUrl, string? token)
{
    // The benchmark measures request handling, not certificate checking: connections are kept alive.
    var handler = new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
    var client = new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
    client.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.heroku+json; version=3");
    if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);
    return client;
}

static async Task WaitUntilUp(HttpClient client)
{
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (true)
    {
        try
        {
            if ((await client.GetAsync("/account")).IsSuccessStatusCode) return;
        }
        catch (HttpRequestException) when (DateTime.UtcNow < deadline)
        {
        }
        if (DateTime.UtcNow > deadline) throw new TimeoutException("nuvemd did not start");
        await Task.Delay(100);
    }
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Nuvem.slnx"))) return dir.FullName;
    throw new InvalidOperationException("Run from inside the repository.");
}

internal sealed record Stats(double Median, double P90)
{
    public static Stats Of(double[] samples)
    {
        Array.Sort(samples);
        return new Stats(samples[samples.Length / 2], samples[(int)(samples.Length * 0.9)]);
    }

    public override string ToString() => $"{Median,7:F0} ({P90:F0})";
}

/// <summary>The baseline: Kestrel over TLS answering a fixed JSON body, no routing, auth or database.</summary>
internal sealed class BaselineServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private BaselineServer(WebApplication app, string url) { _app = app; Url = url; }
    public string Url { get; }

    public static async Task<BaselineServer> StartAsync(string body, int port)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var bytes = Encoding.UTF8.GetBytes(body);
        app.Run(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(bytes);
        });
        await app.StartAsync();
        return new BaselineServer(app, $"https://localhost:{port}");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
