using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Nuvem.Tests.Webhooks;

/// <summary>An HTTP receiver on loopback for webhooks and deploy hooks: records every request and answers
/// <see cref="StatusCode"/>.</summary>
public sealed class LoopbackReceiver : IDisposable
{
    public sealed record Received(string Method, string Path, WebHeaderCollection Headers, byte[] Body, string? ContentType);

    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public int StatusCode { get; set; } = 200;
    public string Url { get; }

    public LoopbackReceiver()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public IReadOnlyList<Received> All => _received.ToList();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); } catch { return; }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = new WebHeaderCollection();
            foreach (string key in context.Request.Headers) headers[key] = context.Request.Headers[key];
            _received.Enqueue(new Received(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, headers, body.ToArray(), context.Request.ContentType));
            context.Response.StatusCode = StatusCode;
            context.Response.Close();
            _arrived.Release();
        }
    }

    /// <summary>Waits until <paramref name="count"/> requests have arrived in all.</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_received.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left)) break;
        }
        Assert.True(_received.Count >= count, $"Expected {count} requests on {Url}, got {_received.Count}.");
        return All;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}
