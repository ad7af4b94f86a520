using Yarp.ReverseProxy.Forwarder;

namespace Nuvem.Server.Router;

/// <summary>What one request carries to the dyno besides the client's own headers.</summary>
internal sealed record RoutedRequest(string RequestId, string ForwardedFor, long RequestStartMs, ForwardAttempt Attempt);

/// <summary>
/// Heroku's request headers: the client's headers as sent (Host included), with <c>X-Forwarded-For</c> (the
/// client's chain plus the address it connected from), <c>X-Forwarded-Proto</c>, <c>X-Forwarded-Port</c>,
/// <c>X-Request-Id</c> and <c>X-Request-Start</c> set by the router. No <c>Via</c> is added. The response gets the
/// request id too.
/// </summary>
internal sealed class RouterHeaders : HttpTransformer
{
    public static readonly RouterHeaders Instance = new();

    public override async ValueTask TransformRequestAsync(HttpContext context, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(context, proxyRequest, destinationPrefix, cancellationToken);
        var routed = context.Features.Get<RoutedRequest>() ?? throw new InvalidOperationException("Not a routed request.");
        var headers = proxyRequest.Headers;
        headers.Host = context.Request.Host.Value;
        Replace(headers, "X-Forwarded-For", routed.ForwardedFor);
        Replace(headers, "X-Forwarded-Proto", context.Request.Scheme);
        Replace(headers, "X-Forwarded-Port", context.Connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Replace(headers, "X-Request-Id", routed.RequestId);
        Replace(headers, "X-Request-Start", routed.RequestStartMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        proxyRequest.Options.Set(ForwardAttempt.Key, routed.Attempt);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext context, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copy = await base.TransformResponseAsync(context, proxyResponse, cancellationToken);
        if (context.Features.Get<RoutedRequest>() is { } routed) context.Response.Headers["X-Request-Id"] = routed.RequestId;
        return copy;
    }

    private static void Replace(System.Net.Http.Headers.HttpRequestHeaders headers, string name, string value)
    {
        headers.Remove(name);
        headers.TryAddWithoutValidation(name, value);
    }
}
