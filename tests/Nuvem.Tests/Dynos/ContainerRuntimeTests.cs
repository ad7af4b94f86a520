using System.Net;
using Nuvem.Tests.Infrastructure;
using Nuvem.Tests.Router;

namespace Nuvem.Tests.Dynos;

/// <summary>The container runtime's other configurations, and a host that cannot run it.</summary>
public sealed class ContainerRuntimeTests
{
    [Fact]
    public async Task Runc_takes_the_same_bundles_and_host_network_mode_gives_each_dyno_a_loopback_port()
    {
        await using var server = await NuvemServer.StartNewAsync(new Dictionary<string, string>
        {
            ["NUVEM_DYNO_OCI_RUNTIME"] = "runc",
            ["NUVEM_DYNO_NETWORK"] = "host",
        });
        Assert.Contains("Dynos:         containers (runc with conmon, host network)", server.Output);
        using var api = server.Api();
        await api.Post("/apps", new { name = "hosted" });
        using var source = DynoApps.Web(server);
        source.Commit();
        (await source.PushAsync("hosted")).Succeeded();
        await api.Patch("/apps/hosted/formation", new { updates = new object[] { new { type = "web", quantity = 2 } } });

        var dynos = await DynoApps.Eventually(() => api.Get("/apps/hosted/dynos?extended=true"),
            r => r.Array.Count(d => d!["state"]!.GetValue<string>() == "up") == 2, what: "two web dynos up");
        var ports = dynos.Array.Select(d => d!["extended"]!["port"]!.GetValue<int>()).ToList();
        Assert.All(dynos.Array, d => Assert.Equal("127.0.0.1", d!["extended"]!["ip"]!.GetValue<string>()));
        Assert.Equal(2, ports.Distinct().Count());

        var answers = new HashSet<string>();
        for (var i = 0; i < 20 && answers.Count < 2; i++)
        {
            var (status, body) = await RouterClient.GetAsync(server.RouterPort, "hosted");
            Assert.Equal(HttpStatusCode.OK, status);
            answers.Add(body);
        }
        Assert.Equal(["web.1 none", "web.2 none"], answers.Order());

        // Stopping goes through runc too: SIGTERM reaches the app through tini, and a new dyno takes the name.
        var old = dynos.Array.Single(d => d!["name"]!.GetValue<string>() == "web.1")!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Accepted, (await api.Delete("/apps/hosted/dynos/web.1")).Status);
        await DynoApps.Eventually(() => api.Get("/apps/hosted/dynos"),
            r => r.Array.Any(d => d!["name"]!.GetValue<string>() == "web.1" && d["id"]!.GetValue<string>() != old && d["state"]!.GetValue<string>() == "up"),
            what: "web.1 replaced");
        var logs = await DynoApps.Logs(server, api, "hosted");
        Assert.Contains("heroku[web.1]: Process exited with status 143", logs);
    }

    [Fact]
    public async Task A_host_that_cannot_run_containers_is_told_what_is_missing_instead_of_running_dynos_unisolated()
    {
        await using var server = new NuvemServer();
        server.Environment["NUVEM_DYNO_OCI_RUNTIME"] = "/nonexistent/crun";
        await Assert.ThrowsAsync<InvalidOperationException>(server.StartAsync);
        // The process may end before its output is all read: wait for the message itself.
        var said = await DynoApps.Eventually(() => Task.FromResult(server.Output), o => o.Contains("NUVEM_DYNO_RUNTIME=process"), what: "nuvemd's message");
        var refused = new { Message = said };
        Assert.Contains("dynos cannot run as isolated containers on this machine", refused.Message);
        Assert.Contains("The OCI runtime /nonexistent/crun (NUVEM_DYNO_OCI_RUNTIME) is not installed", refused.Message);
        Assert.Contains("NUVEM_DYNO_RUNTIME=process", refused.Message);

        // Plain processes only when asked for, and then with a warning on every start.
        await using var plain = await NuvemServer.StartNewAsync(new Dictionary<string, string> { ["NUVEM_DYNO_RUNTIME"] = "process" });
        Assert.Contains("dynos run as plain processes (NUVEM_DYNO_RUNTIME=process): apps are NOT isolated", plain.Output);
        using var api = plain.Api();
        await api.Post("/apps", new { name = "plain" });
        using var source = DynoApps.Web(plain);
        source.Commit();
        (await source.PushAsync("plain")).Succeeded();
        await DynoApps.Eventually(() => RouterClient.GetAsync(plain.RouterPort, "plain"),
            r => r.Status == HttpStatusCode.OK && r.Body == "web.1 none", what: "the plain-process dyno serving");
    }
}
