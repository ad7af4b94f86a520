using System.Net;
using System.Net.Sockets;

namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>Whether a dyno listens yet, and a port for one to listen on.</summary>
public static class TcpProbe
{
    /// <summary>Whether something accepts a TCP connection there within a second.</summary>
    public static async Task<bool> AcceptsAsync(string host, int port, CancellationToken cancellation)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A loopback port nothing listens on at the moment.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
