using System.Net;
using Microsoft.Data.Sqlite;
using Nuvem.Tests.Builds;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Platform;

/// <summary>A platform killed in the middle of a build or a release phase does not leave them pending for ever.</summary>
public sealed class InterruptedWorkTests
{
    [Fact]
    public async Task A_build_and_a_release_phase_cut_short_by_kill_9_are_failed_at_the_next_start_and_the_build_directory_removed()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();
        var app = (await api.Post("/apps", new { name = "interrupted" })).Json;
        var appId = app["id"]!.GetValue<string>();
        await api.Send(HttpMethod.Put, "/apps/interrupted/buildpack-installations", new { updates = new[] { new { buildpack = BuildpackTests.StampBuildpack } } });

        // The sleeper runs in the build dyno (its own pid namespace and /tmp): a unique duration finds it from the host.
        var sleeper = $"sleep\0{300 + Random.Shared.Next(1, 1000) / 1000.0:0.000}";
        try
        {
            using var source = new GitWorkspace(server).Write("stamp.txt", "x").Write("sleep", sleeper[6..]).Write("pidfile", "/tmp/sleeper.pid");
            source.Commit();
            var push = source.PushAsync("interrupted");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (HostProcesses.Running(sleeper).Count == 0)
            {
                Assert.True(DateTime.UtcNow < deadline && !push.IsCompleted, $"the build never reached its sleep:\n{server.Output}");
                await Task.Delay(100);
            }
            var build = Assert.Single((await api.Get("/apps/interrupted/builds")).Array)!;
            Assert.Equal("pending", build["status"]!.GetValue<string>());
            var buildId = build["id"]!.GetValue<string>();
            var workDir = Path.Combine(server.DataDir, "dynos", "builds", "build-" + buildId);
            Assert.True(Directory.Exists(workDir));

            server.Kill();
            (await push).Rejected();
            // The test kills nuvemd's whole process tree; after a plain kill -9 the build dyno would live on until
            // the next start removes it (checked below: the container and its directory are gone).

            // A release whose release phase was running when the platform died (as a config change or deploy leaves it).
            var releaseId = Guid.NewGuid().ToString();
            using (var db = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "nuvem.db")};Pooling=False"))
            {
                db.Open();
                using var insert = db.CreateCommand();
                insert.CommandText = """
                    INSERT INTO releases (id, app_id, version, description, status, config_vars, created_at, updated_at)
                    VALUES ($id, $app, 2, 'Set FOO config vars', 'pending', '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')
                    """;
                insert.Parameters.AddWithValue("$id", releaseId);
                insert.Parameters.AddWithValue("$app", appId);
                insert.ExecuteNonQuery();
            }

            await server.StartAsync();
            var failed = (await api.Get($"/apps/interrupted/builds/{buildId}")).Json;
            Assert.Equal("failed", failed["status"]!.GetValue<string>());
            var buildOutput = await ReadAsync(server, failed["output_stream_url"]!.GetValue<string>());
            Assert.Contains("-----> Stamping", buildOutput);
            Assert.EndsWith("The platform restarted during this build; push again.\n", buildOutput);
            Assert.False(Directory.Exists(workDir), "the interrupted build's dyno directory is still there");
            Assert.Empty(HostProcesses.Running(sleeper));

            var release = (await api.Get("/apps/interrupted/releases/2")).Json;
            Assert.Equal("failed", release["status"]!.GetValue<string>());
            Assert.False(release["current"]!.GetValue<bool>());
            Assert.Contains("The platform restarted during this release command", await ReadAsync(server, release["output_stream_url"]!.GetValue<string>()));
            Assert.True((await api.Get("/apps/interrupted/releases/1")).Json["current"]!.GetValue<bool>());

            // The app builds again after that.
            source.Write("sleep", "0");
            source.Commit("no sleep");
            Assert.Contains("Released v3", (await source.PushAsync("interrupted")).Succeeded().Output);
        }
        finally
        {
            HostProcesses.Kill(sleeper);
        }
    }

    private static async Task<string> ReadAsync(NuvemServer server, string url)
    {
        using var plain = server.CreateClient();
        using var response = await plain.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
