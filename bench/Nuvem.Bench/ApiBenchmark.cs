using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Nuvem.Bench;

/// <summary>
/// The Platform API of a real nuvemd against baselines taken in the same run on the same machine:
/// reads against a bare Kestrel HTTPS server (its own process) answering a body of the same size; writes
/// (a config change appends a release) against one SQLite commit in WAL mode with synchronous=FULL.
/// </summary>
internal static class ApiBenchmark
{
    public static async Task RunAsync(int iterations)
    {
        await using var platform = await Platform.StartAsync();
        using var api = platform.Client();
        (await api.PostAsync("/apps", Json("{\"name\":\"bench\"}"))).EnsureSuccessStatusCode();
        var appBody = await (await api.GetAsync("/apps/bench")).Content.ReadAsStringAsync();

        var bodyFile = Path.Combine(platform.DataDir, "baseline-body.json");
        await File.WriteAllTextAsync(bodyFile, appBody);
        var baselinePort = Platform.FreePort();
        using var baseline = Process.Start(new ProcessStartInfo("dotnet", [typeof(ApiBenchmark).Assembly.Location, "--baseline-server", bodyFile, baselinePort.ToString()])
            { RedirectStandardOutput = true })!;
        try
        {
            if (await baseline.StandardOutput.ReadLineAsync() != "ready") throw new InvalidOperationException("baseline server did not start");
            using var bare = Platform.Client($"https://localhost:{baselinePort}", token: null);

            Console.WriteLine($"API: {iterations} sequential requests per measurement; median (p90) in microseconds");
            var rows = new List<(string Name, Stats Subject, Stats Baseline)>();
            var readBase = await Measure(iterations, () => bare.GetAsync("/apps/bench"));
            rows.Add(("GET /apps/{app}  vs bare Kestrel+TLS", await Measure(iterations, () => api.GetAsync("/apps/bench")), readBase));
            rows.Add(("GET /account  vs bare Kestrel+TLS", await Measure(iterations, () => api.GetAsync("/account")), readBase));
            rows.Add(("GET unknown path (404, no auth)  vs bare Kestrel+TLS", await Measure(iterations, () => api.GetAsync("/nope"), allowErrors: true), readBase));

            var writes = Math.Min(iterations, 500);
            var writeBase = MeasureSqliteFloor(Path.Combine(platform.DataDir, "floor.db"), writes);
            var counter = 0;
            rows.Add(("PATCH config-vars (new release)  vs SQLite FULL commit",
                await Measure(writes, () => api.PatchAsync("/apps/bench/config-vars", Json($"{{\"COUNTER\":\"{Interlocked.Increment(ref counter)}\"}}"))), writeBase));
            rows.Add(($"GET releases (Range max=15 desc, {writes + 101} releases)  vs bare",
                await Measure(iterations / 4, () => api.SendAsync(Ranged("/apps/bench/releases", "version ..; max=15, order=desc"))),
                await Measure(iterations / 4, () => bare.GetAsync("/apps/bench"))));

            Console.WriteLine($"{"measurement",-58} {"nuvem",16} {"baseline",16} {"ratio",7}");
            foreach (var (name, subject, basis) in rows)
                Console.WriteLine($"{name,-58} {subject,16} {basis,16} {subject.Median / basis.Median,7:F2}");
        }
        finally
        {
            baseline.Kill(entireProcessTree: true);
        }
    }

    private static async Task<Stats> Measure(int count, Func<Task<HttpResponseMessage>> request, bool allowErrors = false)
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

    private static Stats MeasureSqliteFloor(string path, int count)
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

    private static HttpRequestMessage Ranged(string path, string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Range", range);
        return request;
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
