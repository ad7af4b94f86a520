using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using Nuvem.Platform.AddOns.Postgres;

namespace Nuvem.Bench;

/// <summary>
/// The <c>heroku-postgresql</c> add-on on a real nuvemd (container dynos, the platform's own cluster on a free port):
/// (a) provisioning through the API, <c>POST /apps/{app}/addons</c> until the add-on is <c>provisioned</c> and the app
/// has <c>DATABASE_URL</c> — the first (which makes the cluster: initdb, start) and the next ones — against
/// <c>createuser</c> + <c>createdb</c> on the same cluster in the same run; (b) the query round trip (<c>SELECT 1</c>,
/// a one-row INSERT) over one session with TLS, from a one-off dyno against the same from the host, both with the same
/// psql (the stack is the host's /usr) timing each query with <c>\timing</c>, plus Npgsql on the host.
/// </summary>
internal static partial class AddOnBenchmark
{
    private const int Queries = 200;
    /// <summary>Dyno, host and Npgsql take turns, so that all three see the machine's load alike.</summary>
    private const int Rounds = 3;

    public static async Task RunAsync(int runs)
    {
        if (PostgresBinaries.Find() is not { } binaries)
        {
            Console.Error.WriteLine($"no PostgreSQL: {PostgresBinaries.Missing()}");
            return;
        }
        Console.WriteLine($"heroku-postgresql add-on: provisioning ({runs} runs) and query round trips ({Rounds} rounds of {Queries} each); median (p90) in ms");
        Console.WriteLine($"load average at the start: {File.ReadAllText("/proc/loadavg").Trim()}");
        var port = Platform.FreePort();
        await using var platform = await Platform.StartAsync(new Dictionary<string, string> { ["NUVEM_POSTGRES_PORT"] = port.ToString() });
        using var api = platform.Client();

        // (a) provisioning. Each add-on goes to an app of its own, so that each gets DATABASE_URL.
        var first = await ProvisionAsync(api, "pgbench-0");
        var next = new List<double>();
        for (var i = 1; i <= runs; i++) next.Add(await ProvisionAsync(api, $"pgbench-{i}"));
        var socket = Path.Combine(platform.DataDir, "addons", "postgres", "run");
        var baseline = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            Run(Path.Combine(binaries.Directory, "createuser"), ["-h", socket, "-p", port.ToString(), "-U", "postgres", $"bench_role_{i}"]);
            Run(Path.Combine(binaries.Directory, "createdb"), ["-h", socket, "-p", port.ToString(), "-U", "postgres", "-O", $"bench_role_{i}", $"bench_db_{i}"]);
            baseline.Add(watch.Elapsed.TotalMilliseconds);
        }

        // (b) round trips, against the first app's database.
        var url = (await api.GetFromJsonAsync<JsonObject>("/apps/pgbench-0/config-vars"))!["DATABASE_URL"]!.GetValue<string>();
        await using (var setup = new NpgsqlConnection(ConnectionString(url)))
        {
            await setup.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS bench_rt (id serial PRIMARY KEY, note text)", setup);
            await create.ExecuteNonQueryAsync();
        }
        var source = await WriteAppAsync(binaries.Psql);
        RedeployBenchmark.Git(source, platform.CaFile, "push", "-q", $"https://git:{platform.Token}@localhost:{platform.ApiPort}/pgbench-0.git", "main");
        (List<double> Select, List<double> Insert) dyno = ([], []), host = ([], []), npgsql = ([], []);
        for (var round = 1; round <= Rounds; round++)
        {
            Add(dyno, await DynoRoundTripsAsync(platform, api, binaries.Psql, $"d{round}"));
            Add(host, Timings(Run(binaries.Psql, ["-X", "-A", "-t", "-q", "-v", $"round=h{round}", "-d", url, "-f", Path.Combine(source, "rt.sql")]), $"h{round}"));
            Add(npgsql, await NpgsqlRoundTripsAsync(url));
        }
        Directory.Delete(source, recursive: true);

        Console.WriteLine();
        Console.WriteLine("provisioning, API create → provisioned with DATABASE_URL:");
        Console.WriteLine($"  first add-on (makes the cluster)       {first,7:F0}");
        Console.WriteLine($"  next add-ons                           {Stats.Of(next)}");
        Console.WriteLine($"  baseline: createuser + createdb        {Stats.Of(baseline)}");
        Console.WriteLine($"  ratio next / baseline                  {Stats.Of(next).Median / Stats.Of(baseline).Median,7:F2}");
        Console.WriteLine("query round trip over one TLS session (psql \\timing; median (p90) in ms):");
        foreach (var (what, dynoSide, hostSide, npgsqlSide) in new[]
                 { ("SELECT 1", dyno.Select, host.Select, npgsql.Select), ("INSERT one row", dyno.Insert, host.Insert, npgsql.Insert) })
        {
            var (d, h, n) = (Stats.Of(dynoSide), Stats.Of(hostSide), Stats.Of(npgsqlSide));
            Console.WriteLine($"  {what,-15} dyno psql {d.Median:F3} ({d.P90:F3})   host psql {h.Median:F3} ({h.P90:F3})   " +
                              $"ratio {d.Median / h.Median:F2}   host Npgsql {n.Median:F3} ({n.P90:F3})");
        }
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static void Add((List<double> Select, List<double> Insert) into, (List<double> Select, List<double> Insert) round)
    {
        into.Select.AddRange(round.Select);
        into.Insert.AddRange(round.Insert);
    }

    /// <returns>Milliseconds from the create request until the add-on is provisioned and the app has DATABASE_URL.</returns>
    private static async Task<double> ProvisionAsync(HttpClient api, string app)
    {
        (await api.PostAsync("/apps", RedeployBenchmark.Json($"{{\"name\":\"{app}\"}}"))).EnsureSuccessStatusCode();
        var watch = Stopwatch.StartNew();
        var created = await api.PostAsync($"/apps/{app}/addons", RedeployBenchmark.Json("{\"plan\":{\"name\":\"heroku-postgresql:essential-0\"}}"));
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        if (!created.IsSuccessStatusCode) throw new InvalidOperationException($"addons:create failed: {body}");
        var id = body["id"]!.GetValue<string>();
        while (true)
        {
            var addOn = (await api.GetFromJsonAsync<JsonObject>($"/apps/{app}/addons/{id}"))!;
            var state = addOn["state"]!.GetValue<string>();
            if (state == "deprovisioned") throw new InvalidOperationException($"{app}: the add-on failed");
            if (state == "provisioned" && (await api.GetFromJsonAsync<JsonObject>($"/apps/{app}/config-vars"))!.ContainsKey("DATABASE_URL"))
                break;
            await Task.Delay(10);
        }
        var ms = watch.Elapsed.TotalMilliseconds;
        Console.WriteLine($"  {app}: {ms:F0} ms");
        return ms;
    }

    /// <summary>A Procfile-only app carrying the psql script (Queries SELECTs, then Queries INSERTs, each timed).</summary>
    private static async Task<string> WriteAppAsync(string psql)
    {
        var source = Directory.CreateTempSubdirectory("nuvem-bench-pg-").FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "Procfile"), $"rt: {psql} -X -A -t -q -v round=0 -d \"$DATABASE_URL\" -f rt.sql\n");
        // Results go to /dev/null; psql's "Time:" lines still go to stdout. The markers carry the round (-v round=…).
        var script = new StringBuilder("\\timing on\n\\o /dev/null\n");
        for (var i = 0; i < 20; i++) script.Append("SELECT 1;\n"); // warm-up: the session's catalog caches
        script.Append("\\echo RT :round select\n");
        for (var i = 0; i < Queries; i++) script.Append("SELECT 1;\n");
        script.Append("\\echo RT :round insert\n");
        for (var i = 0; i < Queries; i++) script.Append("INSERT INTO bench_rt (note) VALUES ('round trip');\n");
        script.Append("\\echo RT :round done\n");
        await File.WriteAllTextAsync(Path.Combine(source, "rt.sql"), script.ToString());
        RedeployBenchmark.Git(source, null, "init", "-q", "-b", "main");
        RedeployBenchmark.Git(source, null, "add", "-A");
        RedeployBenchmark.Git(source, null, "-c", "user.email=bench@nuvem.test", "-c", "user.name=bench", "commit", "-q", "-m", "app");
        return source;
    }

    /// <summary>Runs the script in a one-off dyno of the app (its DATABASE_URL, the bridge's gateway) and reads its
    /// timings from the app's log.</summary>
    private static async Task<(List<double> Select, List<double> Insert)> DynoRoundTripsAsync(Platform platform, HttpClient api, string psql, string round)
    {
        var command = $"{psql} -X -A -t -q -v round={round} -d \"$DATABASE_URL\" -f rt.sql";
        (await api.PostAsync("/apps/pgbench-0/dynos", RedeployBenchmark.Json(
            $"{{\"command\":{System.Text.Json.JsonSerializer.Serialize(command)},\"attach\":false}}"))).EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var session = (await (await api.PostAsync("/apps/pgbench-0/log-sessions", RedeployBenchmark.Json("{\"lines\":1500}")))
                .Content.ReadFromJsonAsync<JsonObject>())!;
            using var request = new HttpRequestMessage(HttpMethod.Get, session["logplex_url"]!.GetValue<string>());
            request.Headers.Accept.ParseAdd("text/event-stream");
            var body = await (await api.SendAsync(request)).Content.ReadAsStringAsync();
            var lines = body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l[6..]).ToList();
            if (lines.Any(l => l.EndsWith($"RT {round} done", StringComparison.Ordinal))) return Timings(string.Join('\n', lines), round);
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the one-off dyno did not finish; its log:\n{string.Join('\n', lines.TakeLast(30))}\n{platform.Output}");
            await Task.Delay(500);
        }
    }

    /// <summary>The <c>Time: X ms</c> lines between the script's markers (psql's own output, or the app's log lines).</summary>
    private static (List<double> Select, List<double> Insert) Timings(string output, string round)
    {
        var (select, insert) = (new List<double>(), new List<double>());
        List<double>? into = null;
        foreach (var line in output.Split('\n'))
        {
            if (line.EndsWith($"RT {round} select", StringComparison.Ordinal)) into = select;
            else if (line.EndsWith($"RT {round} insert", StringComparison.Ordinal)) into = insert;
            else if (line.EndsWith($"RT {round} done", StringComparison.Ordinal)) into = null;
            else if (into is not null && TimeLine().Match(line) is { Success: true } match)
                into.Add(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        if (select.Count != Queries || insert.Count != Queries)
            throw new InvalidOperationException($"expected {Queries} timings each, got {select.Count} and {insert.Count}:\n{output[..Math.Min(2000, output.Length)]}");
        return (select, insert);
    }

    private static async Task<(List<double> Select, List<double> Insert)> NpgsqlRoundTripsAsync(string url)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(url));
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand("SELECT 1", connection);
        await using var insert = new NpgsqlCommand("INSERT INTO bench_rt (note) VALUES ('round trip')", connection);
        for (var i = 0; i < 20; i++) await select.ExecuteScalarAsync();
        var (selects, inserts) = (new List<double>(), new List<double>());
        for (var i = 0; i < Queries; i++) selects.Add(await Time(() => select.ExecuteScalarAsync()));
        for (var i = 0; i < Queries; i++) inserts.Add(await Time(() => insert.ExecuteNonQueryAsync()));
        return (selects, inserts);
    }

    private static async Task<double> Time<T>(Func<Task<T>> query)
    {
        var watch = Stopwatch.StartNew();
        await query();
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>The URL as Npgsql wants it; TLS as libpq's default (prefer: the server offers it, so it is used).</summary>
    private static string ConnectionString(string url)
    {
        var parts = PostgresInfo.Parse(url);
        return new NpgsqlConnectionStringBuilder
        {
            Host = parts.Host, Port = parts.Port, Username = parts.User, Password = parts.Password, Database = parts.Database,
            SslMode = SslMode.Prefer, Pooling = false,
        }.ConnectionString;
    }

    private static string Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} exited {process.ExitCode}: {stderr.Result}");
        return stdout;
    }

    [GeneratedRegex(@"Time: ([\d.]+) ms")]
    private static partial Regex TimeLine();
}
