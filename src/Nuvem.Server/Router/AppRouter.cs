using System.Diagnostics;
using System.Net;
using System.Net.Http;
using Microsoft.AspNetCore.Http.Features;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Nuvem.Server.Router;

/// <summary>
/// The router's core, one call per request: Host → <see cref="IRouteTable"/> → one of the app's up web dynos
/// (power of two choices) → YARP's <see cref="IHttpForwarder"/>, or Heroku's error page and code; then one router
/// line in the app's log. The route is looked up per request, so deploys, scaling and maintenance apply at once.
/// </summary>
public sealed class AppRouter : IDisposable
{
    private readonly IRouteTable _routes;
    private readonly ILogplex _logplex;
    private readonly IHttpForwarder _forwarder;
    private readonly ILogger<AppRouter> _logger;
    private readonly HttpMessageInvoker _client;
    private readonly ForwarderRequestConfig _requestConfig;

    public AppRouter(IRouteTable routes, ILogplex logplex, IHttpForwarder forwarder, RouterOptions options, ILogger<AppRouter> logger)
    {
        _routes = routes;
        _logplex = logplex;
        _forwarder = forwarder;
        _logger = logger;
        _client = new HttpMessageInvoker(new RouterTransport(options), disposeHandler: true);
        _requestConfig = new ForwarderRequestConfig
        {
            // The first-byte timeout (H12) is the transport's; this is the idle window once bytes flow.
            ActivityTimeout = options.IdleTimeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    public BackendBalancer Balancer { get; } = new();

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var requestStartMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var host = Hostname.Canonical(request.Host.Host);
        var requestId = SaneRequestId(request.Headers["X-Request-Id"]) ?? Guid.NewGuid().ToString();
        context.Response.Headers["X-Request-Id"] = requestId;

        var route = host.Length == 0 ? null : _routes.Resolve(host);
        if (route is null)
        {
            await RouterPages.WriteAsync(context, StatusCodes.Status404NotFound, RouterPages.NoSuchApp);
            return;
        }

        var line = new RouterLogLine
        {
            Method = request.Method,
            Path = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw : request.Path + request.QueryString,
            Host = host,
            RequestId = requestId,
            Fwd = ForwardedFor(context),
        };

        if (route.Maintenance)
        {
            await Refuse(context, route, line with { Code = "H80", Desc = "Maintenance mode" }, RouterPages.Maintenance);
            return;
        }
        if (!route.WebDynosWanted || route.Backends.Count == 0)
        {
            var crashed = route.WebDynosWanted && route.Crashed;
            await Refuse(context, route, line with { At = "error", Code = crashed ? "H10" : "H14", Desc = crashed ? "App crashed" : "No web processes running" },
                RouterPages.ApplicationError);
            return;
        }

        using var attempt = new ForwardAttempt(route.Backends, Balancer);
        attempt.Start();
        context.Features.Set(new RoutedRequest(requestId, line.Fwd, requestStartMs, attempt));
        var counting = new CountingStream(context.Response.Body);
        context.Response.Body = counting;

        var started = Stopwatch.GetTimestamp();
        var error = await _forwarder.SendAsync(context, Prefix(attempt.Backend.Address), _client, _requestConfig, RouterHeaders.Instance);
        var elapsed = Stopwatch.GetTimestamp() - started;

        line = line with
        {
            Dyno = attempt.Backend.Dyno,
            ConnectMs = ForwardAttempt.Milliseconds(attempt.ConnectTicks),
            ServiceMs = ForwardAttempt.Milliseconds(Math.Max(0, elapsed - attempt.ConnectTicks)),
            Status = context.Response.StatusCode,
            Bytes = counting.Written,
        };
        if (error != ForwarderError.None) line = await Failed(context, error, line);
        _logplex.Publish(route.AppId, "heroku", "router", line.ToString());
    }

    /// <summary>Turns a forwarding failure into Heroku's code, and the 503 page when the client can still get one.</summary>
    private async Task<RouterLogLine> Failed(HttpContext context, ForwarderError error, RouterLogLine line)
    {
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        var (code, desc, clientGone) = Classify(error, exception);
        if (code is null) return line; // e.g. a WebSocket that ended untidily after its upgrade: not a routing error
        _logger.LogDebug(exception, "{Code} {Desc} ({Error}) for {Host}", code, desc, error, line.Host);

        if (clientGone) return line with { At = "error", Code = code, Desc = desc, Status = 499 };
        if (context.Response.HasStarted) return line with { At = "error", Code = code, Desc = desc };

        context.Response.Clear();
        context.Response.Headers["X-Request-Id"] = line.RequestId;
        try
        {
            await RouterPages.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, RouterPages.ApplicationError);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client went away meanwhile; the line still says what the dyno did.
        }
        return line with { At = "error", Code = code, Desc = desc, Status = StatusCodes.Status503ServiceUnavailable, Bytes = 0 };
    }

    internal static (string? Code, string Desc, bool ClientGone) Classify(ForwarderError error, Exception? exception)
    {
        if (Find<FirstByteTimeoutException>(exception) is not null || error == ForwarderError.RequestTimedOut)
            return ("H12", "Request timeout", false);
        if (RouterTransport.FindConnectFailure(exception) is { } connect)
            return connect.TimedOut ? ("H19", "Backend connection timeout", false) : ("H13", connect.Message, false);
        switch (error)
        {
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
                or ForwarderError.ResponseBodyClient or ForwarderError.ResponseBodyCanceled:
                return ("H27", "Client Request Interrupted", true);
            case ForwarderError.ResponseBodyDestination:
                return ("H18", "Server Request Interrupted", false);
            case ForwarderError.ResponseHeaders:
                return ("H17", "Poorly formatted HTTP response", false);
            case ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled
                or ForwarderError.UpgradeRequestDestination or ForwarderError.UpgradeResponseClient or ForwarderError.UpgradeResponseDestination
                or ForwarderError.UpgradeActivityTimeout:
                return (null, "", false);
        }
        if (Find<HttpRequestException>(exception) is { HttpRequestError: HttpRequestError.InvalidResponse })
            return ("H17", "Poorly formatted HTTP response", false);
        return ("H13", "Connection closed without response", false);
    }

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found) return found;
            if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate && aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(x => x is not null) is { } inner)
                return inner;
        }
        return null;
    }

    private async Task Refuse(HttpContext context, AppRoute route, RouterLogLine line, byte[] page)
    {
        await RouterPages.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, page);
        _logplex.Publish(route.AppId, "heroku", "router", (line with { Status = StatusCodes.Status503ServiceUnavailable }).ToString());
    }

    /// <summary>The client's X-Forwarded-For chain, then the address this connection comes from.</summary>
    private static string ForwardedFor(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        var client = remote is null ? "" : (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString();
        var chain = context.Request.Headers["X-Forwarded-For"].ToString().Trim();
        if (chain.Length == 0) return client;
        return client.Length == 0 ? chain : $"{chain}, {client}";
    }

    /// <summary>Heroku keeps a client's X-Request-Id of 20–200 characters of letters, digits, +, /, = and -; anything else gets a new id.</summary>
    internal static string? SaneRequestId(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count != 1) return null;
        var id = values[0];
        if (id is null || id.Length is < 20 or > 200) return null;
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-')) return null;
        }
        return id;
    }

    private static string Prefix(Uri address) => address.GetLeftPart(UriPartial.Authority);

    public void Dispose() => _client.Dispose();

    /// <summary>Counts the bytes of the response body going to the client (the router line's <c>bytes</c>).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Written += count;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            Written += buffer.Length;
        }
    }
}
