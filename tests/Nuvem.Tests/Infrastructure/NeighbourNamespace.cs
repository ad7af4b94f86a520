using System.Diagnostics;
using System.Net.Sockets;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Tests.Dynos;

namespace Nuvem.Tests.Infrastructure;

/// <summary>
/// A host on a private network beside this one: a network namespace of the test's own on a /30 reached over a veth
/// pair, running one server. Reachable from the host, so only the dyno firewall decides whether dynos reach it.
/// </summary>
public sealed class NeighbourNamespace : IAsyncDisposable
{
    private readonly string _namespace, _link;
    private Process? _server;

    private NeighbourNamespace(string name, int network, int port)
    {
        _namespace = "nvtn" + name;
        _link = "nvn" + name;
        Ip = $"10.254.{network}.2";
        Port = port;
        HostIp = $"10.254.{network}.1";
    }

    /// <summary>The neighbour's own address.</summary>
    public string Ip { get; }

    public int Port { get; }

    public string Address => $"{Ip}:{Port}";

    private string HostIp { get; }

    /// <summary>A plain HTTP file server (python3 -m http.server) on port 8000.</summary>
    public static Task<NeighbourNamespace> StartHttpAsync() =>
        StartAsync(8000, ip => ["python3", "-m", "http.server", "8000", "--bind", ip]);

    /// <summary>Starts <paramref name="server"/> (given the neighbour's address) inside the namespace, listening on <paramref name="port"/>.</summary>
    public static async Task<NeighbourNamespace> StartAsync(int port, Func<string, string[]> server, string? workingDirectory = null)
    {
        var neighbour = new NeighbourNamespace(Guid.NewGuid().ToString("N")[..8], Random.Shared.Next(0, 256), port);
        var peer = "nvp" + neighbour._link[3..];
        foreach (var command in new[]
                 {
                     $"ip netns add {neighbour._namespace}",
                     $"ip link add {neighbour._link} type veth peer name {peer}",
                     $"ip link set {peer} netns {neighbour._namespace}",
                     $"ip addr add {neighbour.HostIp}/30 dev {neighbour._link}",
                     $"ip link set {neighbour._link} up",
                     $"ip -n {neighbour._namespace} addr add {neighbour.Ip}/30 dev {peer}",
                     $"ip -n {neighbour._namespace} link set {peer} up",
                     $"ip -n {neighbour._namespace} link set lo up",
                 })
            await Sh(command);
        var start = new ProcessStartInfo("ip", ["netns", "exec", neighbour._namespace, .. server(neighbour.Ip)])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        neighbour._server = Process.Start(start)!;
        neighbour._server.OutputDataReceived += (_, _) => { };
        neighbour._server.ErrorDataReceived += (_, _) => { };
        neighbour._server.BeginOutputReadLine();
        neighbour._server.BeginErrorReadLine();
        await DynoApps.Eventually(async () =>
        {
            using var client = new TcpClient();
            try { await client.ConnectAsync(neighbour.Ip, port); return true; }
            catch (SocketException) { return false; }
        }, up => up, TimeSpan.FromSeconds(10), "the neighbour's server");
        return neighbour;
    }

    private static Task Sh(string command) => HostCommand.RequireAsync("/bin/sh", ["-c", command]);

    public async ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false }) _server.Kill(entireProcessTree: true);
        _server?.Dispose();
        await Sh($"ip netns del {_namespace} 2>/dev/null; ip link del {_link} 2>/dev/null; true");
    }
}
