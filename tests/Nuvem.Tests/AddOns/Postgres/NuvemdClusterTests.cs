using System.Diagnostics;
using Npgsql;
using Nuvem.Platform.Dynos.Network;
using Nuvem.Tests.Dynos;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns.Postgres;

/// <summary>nuvemd and its cluster: started when it exists, outliving a killed nuvemd, adopted, restarted, stopped by --stop-dynos.</summary>
public sealed class NuvemdClusterTests
{
    [Fact]
    public async Task Nuvemd_starts_the_existing_cluster_leaves_it_running_when_killed_adopts_it_and_restarts_it_when_it_dies()
    {
        await using var server = new NuvemServer();
        // The cluster as a first provision makes it, then stopped: as if the machine had rebooted.
        Directory.CreateDirectory(server.DataDir);
        File.SetUnixFileMode(server.DataDir, (UnixFileMode)0b111_001_001);
        var gateway = BridgeNetwork.GatewayOf(server.Subnet);
        string url;
        await using (var made = new TestCluster(server.PostgresPort, [gateway], gateway, server.Subnet,
                         () => BridgeNetwork.EnsureBridgeAsync(server.Bridge, server.Subnet), server.DataDir))
        {
            url = (await made.ProvisionAsync()).Config["URL"];
            await using (var connection = await made.OpenAsync(url))
            await using (var command = new NpgsqlCommand("CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')", connection))
                await command.ExecuteNonQueryAsync();
        }

        await server.StartAsync();
        var cluster = new TestCluster(server.PostgresPort, [gateway], gateway, server.Subnet, null, server.DataDir).Cluster;
        var pid = await DynoApps.Eventually(() => Task.FromResult(cluster.PostmasterPid()), p => p is not null, TimeSpan.FromSeconds(60), "nuvemd starting the cluster");

        async Task<string?> Read()
        {
            await using var connection = new NpgsqlConnection(TestCluster.FromUrl(url, SslMode.Require).ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT v FROM t", connection);
            return (string?)await command.ExecuteScalarAsync();
        }
        await DynoApps.Eventually(async () => { try { return await Read(); } catch (NpgsqlException) { return null; } }, v => v == "kept", TimeSpan.FromSeconds(30), "the cluster answering");

        // kill -9 of nuvemd leaves the server running; the next nuvemd adopts it.
        server.Kill();
        Assert.Equal(pid, cluster.PostmasterPid());
        Assert.Equal("kept", await Read());
        await server.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(6)); // a supervision round
        Assert.Equal(pid, cluster.PostmasterPid());
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(server.Output, "starting the server")); // the first nuvemd's only
        Assert.Contains("adopted", server.Output);

        // A server that dies is restarted by nuvemd's supervisor, saying why.
        Process.Start("kill", ["-KILL", pid.ToString()!])!.WaitForExit();
        var restarted = await DynoApps.Eventually(() => Task.FromResult(cluster.PostmasterPid()), p => p is not null && p != pid,
            TimeSpan.FromSeconds(60), "nuvemd restarting the cluster");
        await DynoApps.Eventually(async () => { try { return await Read(); } catch (NpgsqlException) { return null; } }, v => v == "kept", TimeSpan.FromSeconds(30), "the restarted cluster answering");
        Assert.Contains("is gone", server.Output);

        // A graceful stop leaves it running too; --stop-dynos (the server's disposal) stops it.
        await server.StopAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(restarted, cluster.PostmasterPid());
        await server.StopLeftoverDynosAsync();
        Assert.Null(cluster.PostmasterPid());
        await cluster.DisposeAsync();
    }
}
