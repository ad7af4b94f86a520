using System.Text.RegularExpressions;
using Nuvem.Tests.HerokuCli;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns.Redis;

/// <summary>The unmodified heroku CLI: <c>addons:plans</c>, <c>addons:create heroku-redis</c> → <c>REDIS_URL</c>,
/// <c>redis:credentials</c>, <c>redis:info</c>, <c>addons:upgrade</c> (the server restarts with the new limits, the data stays), <c>addons:destroy</c>.</summary>
public sealed class RedisCliTests(HerokuCliFixture fixture) : IClassFixture<HerokuCliFixture>
{
    private HerokuCliSession Cli => fixture.Cli;

    [Fact]
    public async Task The_heroku_cli_creates_upgrades_and_destroys_a_redis_add_on()
    {
        var app = $"rediscli-{Guid.NewGuid().ToString("N")[..8]}";
        (await Cli.RunAsync("apps:create", app)).Succeeded();
        var plans = (await Cli.RunAsync("addons:plans", "heroku-redis")).Succeeded().Stdout;
        Assert.Matches(@"default +heroku-redis:mini +Mini", plans);
        Assert.Contains("heroku-redis:premium-1", plans);

        var created = (await Cli.RunAsync("addons:create", "heroku-redis", "-a", app, "--wait")).Succeeded().Output;
        var name = Regex.Match(created, @"Created (redis-[a-z]+-\d{5}) as REDIS_URL").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(name), created);
        var url = new Uri((await Cli.RunAsync("config:get", "REDIS_URL", "-a", app)).Succeeded().Stdout.Trim());
        var password = url.UserInfo.TrimStart(':');
        Assert.Equal("+OK", await Resp.CommandAsync(url.Port, password, "SET", "kept", "yes"));

        // redis:credentials and redis:info read the data API (/redis/v0/databases/{name}) on nuvemd's API.
        Assert.Equal(url.ToString().TrimEnd('/'), (await Cli.RunAsync("redis:credentials", "-a", app)).Succeeded().Stdout.Trim());
        var info = (await Cli.RunAsync("redis:info", "-a", app)).Succeeded().Stdout;
        Assert.Contains($"=== {name} (REDIS_URL)", info);
        Assert.Matches(@"Plan: +mini", info);
        Assert.Matches(@"Status: +available", info);
        Assert.Matches(@"Maxmemory: +25 MB", info);

        (await Cli.RunAsync("addons:upgrade", name, "premium-1", "-a", app)).Succeeded();
        Assert.Matches(@"heroku-redis \(" + name + @"\) +premium-1", (await Cli.RunAsync("addons", "-a", app)).Succeeded().Stdout);
        Assert.Equal("$3\r\nyes", await Resp.CommandAsync(url.Port, password, "GET", "kept"));
        var conf = File.ReadAllText(Path.Combine(fixture.Server.DataDir, "addons", "redis",
            Assert.Single(Directory.GetDirectories(Path.Combine(fixture.Server.DataDir, "addons", "redis")), d => File.ReadAllText(Path.Combine(d, "redis.conf")).Contains($"port {url.Port}\n")), "redis.conf"));
        Assert.Contains($"maxmemory {100 * 1024 * 1024}\n", conf);

        (await Cli.RunAsync("addons:destroy", name, "-a", app, "--confirm", app)).Succeeded();
        Assert.Equal("", (await Cli.RunAsync("config:get", "REDIS_URL", "-a", app)).Stdout.Trim());
    }
}
