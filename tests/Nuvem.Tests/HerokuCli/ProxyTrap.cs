using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Nuvem.Tests.HerokuCli;

/// <summary>
/// A local stand-in for an HTTP proxy that forwards nothing: the CLI runs with <c>HTTPS_PROXY</c>/<c>HTTP_PROXY</c>
/// pointing here (and <c>NO_PROXY</c> naming only the platform's loopback host), so any attempt to reach another host
/// arrives here instead — recorded (<c>CONNECT api.heroku.com:443</c>) and refused — and the tests assert there was none.
/// </summary>
public sealed class ProxyTrap : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _attempts = new();

    public ProxyTrap()
    {
        _listener.Start();
        _ = AcceptLoop();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>The request line of every connection made to the proxy, e.g. <c>CONNECT status.heroku.com:443 HTTP/1.1</c>.</summary>
    public IReadOnlyList<string> Attempts => _attempts.ToArray();

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Answer(client);
        }
    }

    private async Task Answer(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[1024];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (!head.ToString().Contains("\r\n"))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0) break;
                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException) { }
        var line = head.ToString().Split("\r\n")[0];
        _attempts.Enqueue(line.Length > 0 ? line : "(a connection that sent nothing)");
        try { await stream.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray()); }
        catch (IOException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
