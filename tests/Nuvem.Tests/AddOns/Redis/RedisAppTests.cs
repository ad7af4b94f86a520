using System.Net;
using System.Net.Sockets;
using System.Text;
using Nuvem.Platform.Dynos.Network;
using Nuvem.Tests.Dynos;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns.Redis;

/// <summary>
/// heroku-redis end to end: an add-on gives the app <c>REDIS_URL</c> (a redis-server of its own, at the dyno bridge's
/// gateway); a Python app counts hits in it through the router (so a dyno reaches its Redis port); the count survives a
/// <c>kill -9</c> of nuvemd and of the redis-server itself (restarted by the supervisor from its append-only file);
/// another app's password does not open it and admin commands are refused; destroying the add-on stops and removes it.
/// </summary>
public sealed class RedisAppTests
{
    private static string Fixture(string name) => Path.Combine(Repo.Root, "tests", "Nuvem.Tests", "Fixtures", "apps", name);

    [Fact]
    public async Task A_python_app_counts_hits_in_its_redis_through_restarts_and_no_other_password_opens_it()
    {
        var first = Repo.FreePort();
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string> { ["NUVEM_REDIS_PORTS"] = $"{first}-{first + 9}" });
        using var api = server.Api();
        var gateway = BridgeNetwork.GatewayOf(server.Subnet);

        await api.Post("/apps", new { name = "redisapp" });
        var created = await api.Post("/apps/redisapp/addons", new { plan = "heroku-redis" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var addOn = created.Json["name"]!.GetValue<string>();
        Assert.Matches("^redis-[a-z]+-[0-9]{5}$", addOn);
        Assert.Equal("heroku-redis:mini", created.Json["plan"]!["name"]!.GetValue<string>());
        var url = new Uri((await api.Get("/apps/redisapp/config-vars")).Json["REDIS_URL"]!.GetValue<string>());
        Assert.Equal("redis", url.Scheme);
        Assert.Equal(gateway, url.Host);
        Assert.InRange(url.Port, first, first + 9);
        var password = url.UserInfo.TrimStart(':');
        Assert.True(password.Length >= 32);

        // The server runs as the redis user, its configuration (with the password) readable by root and that user only.
        var folder = Assert.Single(Directory.GetDirectories(Path.Combine(server.DataDir, "addons", "redis")));
        var conf = Path.Combine(folder, "redis.conf");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(conf));
        var pid = int.Parse(File.ReadAllText(Path.Combine(folder, "data", "redis.pid")).Trim());
        Assert.DoesNotContain(password, File.ReadAllText($"/proc/{pid}/cmdline"));
        var uid = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.NotEqual("0", uid);

        using (var source = new GitWorkspace(server, copyFrom: Fixture("python-redis")))
        {
            source.Commit("hits");
            (await source.PushAsync("redisapp")).Succeeded();
        }
        await DynoApps.Eventually(() => Router(server, "redisapp"), r => r.Body == "hits: 1\n", TimeSpan.FromSeconds(90), "the first hit");
        Assert.Equal("hits: 2\n", (await Router(server, "redisapp")).Body);

        // Another app's Redis: its password is not this one's, and neither opens the other's server.
        await api.Post("/apps", new { name = "redisother" });
        Assert.Equal(HttpStatusCode.Created, (await api.Post("/apps/redisother/addons", new { plan = "heroku-redis:premium-0" })).Status);
        var otherUrl = new Uri((await api.Get("/apps/redisother/config-vars")).Json["REDIS_URL"]!.GetValue<string>());
        var otherPassword = otherUrl.UserInfo.TrimStart(':');
        Assert.NotEqual(url.Port, otherUrl.Port);
        Assert.StartsWith("-WRONGPASS", await Resp.CommandAsync(url.Port, null, "AUTH", otherPassword));
        Assert.StartsWith("-WRONGPASS", await Resp.CommandAsync(otherUrl.Port, null, "AUTH", password));
        Assert.StartsWith("-NOAUTH", await Resp.CommandAsync(url.Port, null, "GET", "hits"));
        Assert.Equal("$1\r\n2", await Resp.CommandAsync(url.Port, password, "GET", "hits"));
        // The tenant's user runs data commands, not admin ones: the plan's limits stay as the platform set them.
        Assert.StartsWith("-NOPERM", await Resp.CommandAsync(url.Port, password, "CONFIG", "SET", "maxmemory", "0"));
        Assert.StartsWith("-NOPERM", await Resp.CommandAsync(url.Port, password, "SHUTDOWN"));

        // nuvemd killed -9 and started: the server keeps running (adopted), the count goes on.
        server.Kill();
        await server.StartAsync();
        await DynoApps.Eventually(() => Router(server, "redisapp"), r => r.Body == "hits: 3\n", TimeSpan.FromSeconds(90), "the hit after kill -9");
        Assert.Equal(pid, int.Parse(File.ReadAllText(Path.Combine(folder, "data", "redis.pid")).Trim()));

        // The server killed -9: the supervisor starts it again, with the data of its append-only file.
        await Task.Delay(1500); // appendfsync everysec
        Process(pid).Kill();
        await DynoApps.Eventually(() => Router(server, "redisapp"), r => r.Body == "hits: 4\n", TimeSpan.FromSeconds(60), "the hit after the server's restart");

        // Destroying the add-on stops its server and removes its files; the other app's server stays.
        Assert.Equal(HttpStatusCode.OK, (await api.Delete($"/apps/redisapp/addons/{addOn}")).Status);
        Assert.False(Directory.Exists(folder));
        await Assert.ThrowsAsync<SocketException>(() => Resp.CommandAsync(url.Port, password, "PING"));
        Assert.Equal("+PONG", await Resp.CommandAsync(otherUrl.Port, otherPassword, "PING"));
        Assert.DoesNotContain("REDIS_URL", (await api.Get("/apps/redisapp/config-vars")).Json.AsObject().Select(kv => kv.Key));
    }

    private static System.Diagnostics.Process Process(int pid) => System.Diagnostics.Process.GetProcessById(pid);

    private static async Task<(HttpStatusCode Status, string Body)> Router(NuvemServer server, string app)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{server.RouterPort}/");
        request.Headers.Host = $"{app}.localhost";
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>A tiny RESP client: one command (after AUTH when a password is given), its reply's first two lines.</summary>
internal static class Resp
{
    public static async Task<string> CommandAsync(int port, string? password, params string[] args)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        if (password is not null)
        {
            await stream.WriteAsync(Encode("AUTH", password));
            var auth = await reader.ReadLineAsync();
            if (auth != "+OK") return auth ?? "";
        }
        await stream.WriteAsync(Encode(args));
        var line = await reader.ReadLineAsync() ?? "";
        return line.StartsWith('$') && line != "$-1" ? line + "\r\n" + await reader.ReadLineAsync() : line;
    }

    private static byte[] Encode(params string[] args)
    {
        var text = new StringBuilder($"*{args.Length}\r\n");
        foreach (var arg in args) text.Append($"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
