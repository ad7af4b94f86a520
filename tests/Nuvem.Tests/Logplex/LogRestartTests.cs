using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Logplex;

/// <summary>The log outlives the platform process: lines stored before a kill -9 are there after the restart.</summary>
public sealed class LogRestartTests
{
    [Fact]
    public async Task Lines_survive_a_kill_9_and_restart_and_new_ones_follow_them()
    {
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string> { ["NUVEM_LOG_KEEPALIVE"] = "1" });
        using var api = server.Api();
        var app = (await api.Post("/apps", new { name = "logs-survivor" })).Json["id"]!.GetValue<string>();
        await api.Patch("/apps/logs-survivor/config-vars", new { BEFORE = "restart" });

        // The writer stores lines in the background within milliseconds; wait until these are on disk, then pull the plug.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (StoredCount(server, app) < 4)
        {
            Assert.True(DateTime.UtcNow < deadline, "the log lines never reached the database");
            await Task.Delay(20);
        }
        server.Kill();
        await server.StartAsync();

        await api.Patch("/apps/logs-survivor/config-vars", new { AFTER = "restart" });
        var created = await api.Post("/apps/logs-survivor/log-sessions", new { lines = 100 });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var events = await SseEvents.ReadAllAsync(server, created.Json["logplex_url"]!.GetValue<string>());
        Assert.Equal(
        [
            "app[api]: Initial release by user admin@nuvem.test",
            "app[api]: Release v1 created by user admin@nuvem.test",
            "app[api]: Set BEFORE config vars by user admin@nuvem.test",
            "app[api]: Release v2 created by user admin@nuvem.test",
            "app[api]: Set AFTER config vars by user admin@nuvem.test",
            "app[api]: Release v3 created by user admin@nuvem.test",
        ], events.Data.Select(LogSessionTests.WithoutTimestamp));
        Assert.Equal(events.Ids.OrderBy(long.Parse), events.Ids);

        // An idle tail keeps its connection alive with SSE comments (every NUVEM_LOG_KEEPALIVE seconds).
        var tail = await api.Post("/apps/logs-survivor/log-sessions", new { lines = 0, tail = true });
        using var client = server.CreateClient(token: null, accept: "text/event-stream");
        using var response = await client.GetAsync(tail.Json["logplex_url"]!.GetValue<string>(), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Equal("retry: 1000", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal(": keep-alive", await reader.ReadLineAsync(timeout.Token));
    }

    private static long StoredCount(NuvemServer server, string appId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "nuvem.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection.ExecuteScalar<long>("SELECT COUNT(*) FROM log_lines WHERE app_id = @appId", new { appId });
    }
}
