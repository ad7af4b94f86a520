using System.Net;
using Microsoft.Data.Sqlite;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Platform;

/// <summary>State lives in SQLite in the data dir: a SIGKILL loses no committed change and a restart keeps everything.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task A_restart_after_kill_9_keeps_accounts_apps_config_releases_and_formation()
    {
        await using var server = await NuvemServer.StartNewAsync();
        string app, token;
        using (var api = server.Api())
        {
            app = (await api.Post("/apps", new { name = "survivor" })).Json["name"]!.GetValue<string>();
            await api.Patch($"/apps/{app}/config-vars", new { COLOR = "red" });
            var slug = await SlugBlobs.CreateAsync(server, api, app, new { web = "./web", worker = "./worker" });
            await api.Post($"/apps/{app}/releases", new { slug });
            await api.Patch($"/apps/{app}/formation", new { updates = new object[] { new { type = "worker", quantity = "2", size = "standard-2x" } } });
            await api.Patch($"/apps/{app}", new { maintenance = true });
            await api.Post("/users", new { email = "carol@nuvem.test", password = "carol-password" });
            using var anonymous = new ApiClient(server.CreateClient());
            token = (await anonymous.Send(HttpMethod.Post, "/oauth/authorizations", new { }, r =>
                r.Headers.Authorization = new("Basic", Convert.ToBase64String("carol@nuvem.test:carol-password"u8.ToArray())))).Json["access_token"]!["token"]!.GetValue<string>();
        }

        server.Kill();
        await server.StartAsync();

        using (var api = server.Api())
        {
            var info = (await api.Get($"/apps/{app}")).Json;
            Assert.True(info["maintenance"]!.GetValue<bool>());
            Assert.Equal("red", (await api.Get($"/apps/{app}/config-vars")).Json["COLOR"]!.GetValue<string>());
            Assert.Equal([1, 2, 3], (await api.Get($"/apps/{app}/releases")).Array.Select(r => r!["version"]!.GetValue<int>()));
            var worker = (await api.Get($"/apps/{app}/formation/worker")).Json;
            Assert.Equal(2, worker["quantity"]!.GetValue<int>());
            Assert.Equal("Standard-2X", worker["size"]!.GetValue<string>());
        }
        // Tokens issued before the restart still work, including the operator's NUVEM_ADMIN_TOKEN.
        using (var carol = server.Api(token))
            Assert.Equal("carol@nuvem.test", (await carol.Get("/account")).Json["email"]!.GetValue<string>());
        Assert.Contains("Nuvem is running", server.Output);
    }

    [Fact]
    public async Task Kill_9_in_the_middle_of_writes_loses_no_acknowledged_change()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();
        var app = (await api.Post("/apps", new { name = "hammered" })).Json["name"]!.GetValue<string>();

        // Several writers set distinct keys; we record every change the server acknowledged, then pull the plug.
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = $"K{w}_{i}";
                try
                {
                    var reply = await api.Patch($"/apps/{app}/config-vars", new Dictionary<string, string> { [key] = "v" });
                    if (reply.Status == HttpStatusCode.OK) acknowledged.Add(key);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    return; // the server is gone
                }
            }
        })).ToList();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (acknowledged.Count < 40)
        {
            Assert.True(DateTime.UtcNow < deadline && writers.Any(w => !w.IsCompleted), $"writers stalled after {acknowledged.Count} changes:\n{server.Output}");
            await Task.Delay(20);
        }
        server.Kill();
        stop.Cancel();
        await Task.WhenAll(writers);

        // The database file itself is intact.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "nuvem.db")};Pooling=False"))
        {
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }

        await server.StartAsync();
        var config = (await api.Get($"/apps/{app}/config-vars")).Json.AsObject();
        Assert.All(acknowledged, key => Assert.True(config.ContainsKey(key), $"{key} was acknowledged but lost"));
        // Every stored key came with exactly one release, numbered without gaps.
        var versions = (await api.Get($"/apps/{app}/releases")).Array.Select(r => r!["version"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(1, config.Count + 1), versions);
    }
}
