using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Nuvem.Server.Router;

/// <summary>A dyno did not send response headers within the router timeout (H12).</summary>
public sealed class FirstByteTimeoutException(TimeSpan timeout)
    : Exception($"The dyno sent no response within {timeout.TotalSeconds:0.###} s.");

/// <summary>A connection to a dyno could not be opened (refused, or no answer within the connect timeout).</summary>
public sealed class BackendConnectException(string message, bool timedOut, Exception? inner = null) : Exception(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}

/// <summary>
/// The router's HTTP client to dynos: HTTP/1.1 over kept-alive loopback connections, no proxy, cookies,
/// redirects, decompression or trace headers. It times the connect, enforces the first-byte timeout and moves a
/// request whose dyno refused the connection to another dyno once (nothing was sent yet, so it is safe).
/// </summary>
internal sealed class RouterTransport : DelegatingHandler
{
    private readonly TimeSpan _firstByteTimeout;

    public RouterTransport(RouterOptions options)
    {
        _firstByteTimeout = options.FirstByteTimeout;
        var connectTimeout = options.ConnectTimeout;
        InnerHandler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            EnableMultipleHttp2Connections = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(50),
            ConnectCallback = async (context, cancellation) =>
            {
                var started = Stopwatch.GetTimestamp();
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(connectTimeout);
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, timeout.Token);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    throw new BackendConnectException(e.SocketErrorCode == SocketError.ConnectionRefused
                        ? "Backend connection refused" : $"Backend connection failed ({e.SocketErrorCode})", timedOut: false, e);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    socket.Dispose();
                    throw new BackendConnectException("Backend connection timeout", timedOut: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                if (context.InitialRequestMessage.Options.TryGetValue(ForwardAttempt.Key, out var attempt))
                    attempt.ConnectTicks = Stopwatch.GetTimestamp() - started;
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(ForwardAttempt.Key, out var attempt);
        while (true)
        {
            using var firstByte = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            firstByte.CancelAfter(_firstByteTimeout);
            try
            {
                return await base.SendAsync(request, firstByte.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && firstByte.IsCancellationRequested)
            {
                throw new FirstByteTimeoutException(_firstByteTimeout);
            }
            catch (HttpRequestException e) when (attempt is not null && FindConnectFailure(e) is not null && attempt.TryFailover())
            {
                var target = attempt.Backend.Address;
                request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
            }
        }
    }

    public static BackendConnectException? FindConnectFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is BackendConnectException connect) return connect;
        }
        return null;
    }
}
