using System.Net;
using System.Net.Sockets;
using Nuvem.Platform.AddOns.Postgres;
using Nuvem.Platform.Dynos.Network;
using Nuvem.Tests.Dynos;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns.Postgres;

/// <summary>
/// From inside a container dyno on the bridge: the platform's Postgres port at the gateway answers (as Postgres: an
/// SSLRequest gets 'S'), and with a provisioned database's URL a session logs in; another port on the host stays closed.
/// </summary>
public sealed class DynoReachTests
{
    [Fact]
    public async Task A_dyno_reaches_the_postgres_port_at_the_gateway_and_no_other_host_port()
    {
        await using var server = await NuvemServer.StartNewAsync();
        using var api = server.Api();
        var gateway = BridgeNetwork.GatewayOf(server.Subnet);

        // A cluster of the test's own, configured as nuvemd configures its cluster in bridge mode, on the server's port.
        await using var cluster = new TestCluster(server.PostgresPort, [gateway], gateway, server.Subnet,
            () => BridgeNetwork.EnsureBridgeAsync(server.Bridge, server.Subnet));
        var added = await cluster.ProvisionAsync();
        var url = added.Config["URL"];
        Assert.StartsWith($"postgres://{added.ProviderId}:", url);
        Assert.EndsWith($"@{gateway}:{server.PostgresPort}/{added.ProviderId}", url);
        // From the host, the URL works as it is (the gateway is the host's own address), with TLS verified against the CA.
        await using (var fromHost = await cluster.OpenAsync(url, Npgsql.SslMode.VerifyFull)) Assert.Equal(System.Data.ConnectionState.Open, fromHost.State);

        using var hostService = new TcpListener(IPAddress.Any, 0);
        hostService.Start();
        var otherPort = ((IPEndPoint)hostService.LocalEndpoint).Port;

        await api.Post("/apps", new { name = "pgreach" });
        using (var app = new GitWorkspace(server).Write("Procfile", "probe: python3 probe.py\n").Write("probe.py", Probe))
        {
            app.Commit();
            (await app.PushAsync("pgreach")).Succeeded();
        }
        var started = await api.Post("/apps/pgreach/dynos", new
        {
            command = "python3 probe.py",
            attach = false,
            env = new Dictionary<string, string>
            {
                ["PG_HOST"] = gateway, ["PG_PORT"] = server.PostgresPort.ToString(), ["OTHER_PORT"] = otherPort.ToString(),
            },
        });
        Assert.Equal(HttpStatusCode.Created, started.Status);
        var logs = await DynoApps.Eventually(() => DynoApps.Logs(server, api, "pgreach"), l => l.Contains("PROBE done"),
            TimeSpan.FromMinutes(2), "the probe's report");
        Assert.Contains("PROBE postgres S", logs);
        Assert.Contains("PROBE other refused", logs);
    }

    /// <summary>Asks the Postgres port for TLS (the SSLRequest message: length 8, code 80877103) and tries the other port.</summary>
    private const string Probe = """
        import os, socket, struct
        def connect(port):
            s = socket.create_connection((os.environ["PG_HOST"], int(port)), timeout=5)
            return s
        try:
            s = connect(os.environ["PG_PORT"])
            s.sendall(struct.pack("!ii", 8, 80877103))
            print("PROBE postgres " + s.recv(1).decode(), flush=True)
        except Exception as e:
            print("PROBE postgres failed " + repr(e), flush=True)
        try:
            connect(os.environ["OTHER_PORT"])
            print("PROBE other connected", flush=True)
        except Exception as e:
            print("PROBE other refused " + repr(e), flush=True)
        print("PROBE done", flush=True)
        """;
}
