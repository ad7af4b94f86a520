using System.Diagnostics;
using System.Text.RegularExpressions;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Logplex;

/// <summary>The real <c>nuvem logs</c> against the real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class LogsCliTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private NuvemCli LoggedIn()
    {
        var cli = new NuvemCli(Server);
        cli.Environment["NUVEM_API_KEY"] = Server.AdminToken;
        return cli;
    }

    [Fact]
    public async Task Logs_n_prints_the_last_lines_and_exits_0()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "clilogs");
        for (var i = 0; i < 3; i++) await api.Patch($"/apps/{app}/config-vars", new Dictionary<string, string> { [$"K{i}"] = "v" });
        using var cli = LoggedIn();

        var lines = (await cli.RunAsync("logs", "-a", app, "-n", "5")).Succeeded().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.All(lines, l => Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 app\[api\]: .+ by user admin@nuvem\.test$"), l));
        Assert.EndsWith("app[api]: Release v2 created by user admin@nuvem.test", lines[0]);
        Assert.EndsWith("app[api]: Release v4 created by user admin@nuvem.test", lines[^1]);

        Assert.Equal("", (await cli.RunAsync("logs", "-a", app, "--source", "heroku")).Succeeded().Stdout);
        Assert.Equal(8, (await cli.RunAsync("logs", "-a", app, "-d", "api")).Succeeded().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("source must be app or heroku", (await cli.RunAsync("logs", "-a", app, "-s", "system")).Failed().Stderr);
    }

    [Fact]
    public async Task Logs_tail_shows_a_new_line_as_it_happens_and_ctrl_c_exits_0()
    {
        using var api = Server.Api();
        var app = await fixture.NewAppAsync(api, "clitail");
        using var cli = LoggedIn();
        using var process = cli.Start("logs", "--tail", "-a", app, "-n", "1");
        try
        {
            var stdout = process.StandardOutput;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.EndsWith("app[api]: Release v1 created by user admin@nuvem.test", await stdout.ReadLineAsync(timeout.Token));

            var clock = Stopwatch.StartNew();
            await api.Patch($"/apps/{app}/config-vars", new { LIVE = "yes" });
            Assert.EndsWith("app[api]: Set LIVE config vars by user admin@nuvem.test", await stdout.ReadLineAsync(timeout.Token));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the line took {clock.ElapsedMilliseconds} ms");
            Assert.EndsWith("app[api]: Release v2 created by user admin@nuvem.test", await stdout.ReadLineAsync(timeout.Token));

            using (var interrupt = Process.Start("kill", ["-INT", process.Id.ToString()])) await interrupt.WaitForExitAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            var stderr = await process.StandardError.ReadToEndAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stderr}");
            Assert.Equal("", stderr);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Logs_tail_reconnects_after_the_platform_restarts_and_repeats_nothing()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();
        await api.Post("/apps", new { name = "tail-restart" });
        using var cli = new NuvemCli(server);
        cli.Environment["NUVEM_API_KEY"] = server.AdminToken;
        using var process = cli.Start("logs", "-t", "-a", "tail-restart");
        try
        {
            var stdout = process.StandardOutput;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            Assert.EndsWith("Initial release by user admin@nuvem.test", await stdout.ReadLineAsync(timeout.Token));
            Assert.EndsWith("Release v1 created by user admin@nuvem.test", await stdout.ReadLineAsync(timeout.Token));

            await Task.Delay(300); // let the writer store them
            server.Kill();
            await server.StartAsync();
            await api.Patch("/apps/tail-restart/config-vars", new { AFTER = "restart" });
            Assert.EndsWith("Set AFTER config vars by user admin@nuvem.test", await stdout.ReadLineAsync(timeout.Token));
            Assert.EndsWith("Release v2 created by user admin@nuvem.test", await stdout.ReadLineAsync(timeout.Token));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
