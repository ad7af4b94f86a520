using System.Diagnostics;
using Npgsql;

namespace Nuvem.Tests.AddOns.Postgres;

/// <summary>The cluster's life: outliving its platform process, being adopted, restarted when killed; its files' modes.</summary>
public sealed class PostgresClusterTests
{
    [Fact]
    public async Task A_second_platform_process_adopts_the_running_server_and_a_killed_server_is_restarted_with_its_data()
    {
        await using var cluster = new TestCluster();
        var added = await cluster.ProvisionAsync();
        await using (var connection = await cluster.OpenAsync(added.Config["URL"]))
        await using (var command = new NpgsqlCommand("CREATE TABLE survives (v text); INSERT INTO survives VALUES ('still here')", connection))
            await command.ExecuteNonQueryAsync();
        var pid = cluster.Cluster.PostmasterPid();
        Assert.NotNull(pid);

        // The owning process goes away (its PostgresCluster with it); the next one finds the server running.
        await using (var next = cluster.NewInstance())
        {
            await next.EnsureRunningAsync(CancellationToken.None);
            Assert.Equal(pid, next.PostmasterPid());
            Assert.Single(cluster.Log, l => l.Contains("starting the server")); // the first process's start only
            Assert.True(await next.SuperviseAsync(CancellationToken.None));
        }

        Process.Start("kill", ["-KILL", pid.ToString()!])!.WaitForExit();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await cluster.Cluster.SuperviseAsync(CancellationToken.None))
        {
            Assert.True(DateTime.UtcNow < deadline, "the server was not restarted:\n" + string.Join('\n', cluster.Log) + "\n" + cluster.Cluster.LogTail());
            await Task.Delay(1000);
        }
        Assert.NotEqual(pid, cluster.Cluster.PostmasterPid());
        Assert.Contains(cluster.Log, l => l.Contains("is gone"));
        await using (var connection = await cluster.OpenAsync(added.Config["URL"], SslMode.Require))
        await using (var command = new NpgsqlCommand("SELECT v FROM survives", connection))
            Assert.Equal("still here", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_cluster_files_are_the_servers_and_roots_alone()
    {
        await using var cluster = new TestCluster();
        await cluster.Cluster.EnsureRunningAsync(CancellationToken.None);
        var layout = cluster.Cluster.Layout;
        const UnixFileMode rwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, File.GetUnixFileMode(layout.Root));
        Assert.Equal(rwx, File.GetUnixFileMode(layout.Data));
        Assert.Equal(rwx, File.GetUnixFileMode(layout.SocketDirectory));
        Assert.Equal(rwx, File.GetUnixFileMode(layout.Backups));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(layout.KeyFile));
        var owner = await cluster.Cluster.Processes.RunAsync("stat", ["-c", "%U:%G", layout.KeyFile, layout.Data, layout.Conf, layout.Root], "/");
        Assert.Equal("postgres:postgres\npostgres:postgres\nroot:postgres\nroot:postgres", owner.Output.Trim());
        // The server runs as postgres, never root.
        var user = await cluster.Cluster.Processes.RunAsync("ps", ["-o", "user=", "-p", cluster.Cluster.PostmasterPid().ToString()!], "/");
        Assert.Equal("postgres", user.Output.Trim());
        // An app uid cannot enter the cluster's directory.
        var stranger = await cluster.Cluster.Processes.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "ls", layout.Root], "/");
        Assert.False(stranger.Succeeded);
    }
}
