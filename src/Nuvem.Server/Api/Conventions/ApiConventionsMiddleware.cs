using Nuvem.Platform;

namespace Nuvem.Server.Api.Conventions;

/// <summary>
/// The wire conventions every Platform API call shares: the <c>Request-Id</c> echo, the API version in
/// <c>Accept</c>, and turning refusals and bugs into Heroku-style JSON errors (never an HTML page, never a
/// stack trace to the client).
/// </summary>
public sealed class ApiConventionsMiddleware(RequestDelegate next, ILogger<ApiConventionsMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = RequestIdFrom(context.Request.Headers["Request-Id"].ToString());
        context.Response.Headers["Request-Id"] = requestId;
        context.TraceIdentifier = requestId;

        if (UnsupportedVersion(context.Request.Headers.Accept.ToString()) is { } version)
        {
            await ApiError.WriteAsync(context, StatusCodes.Status406NotAcceptable, "not_acceptable",
                $"API version {version} is not supported. Send Accept: application/vnd.heroku+json; version=3");
            return;
        }

        try
        {
            await next(context);
        }
        catch (PlatformException e) when (!context.Response.HasStarted)
        {
            await ApiError.WriteAsync(context, e);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await ApiError.WriteAsync(context, e.StatusCode, e.StatusCode == 413 ? "request_too_large" : "bad_request", e.Message);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(e, "Unhandled error in {Method} {Path} (request {RequestId})", context.Request.Method, context.Request.Path, requestId);
            await ApiError.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal_server_error",
                $"Internal server error. Request ID: {requestId}");
        }
    }

    /// <summary>The heroku CLI sends a fresh id followed by earlier ones, comma-joined; we answer with the fresh one.</summary>
    private static string RequestIdFrom(string header)
    {
        var first = header.Split(',', 2)[0].Trim();
        return first.Length is > 0 and <= 200 && first.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')
            ? first
            : Guid.NewGuid().ToString();
    }

    /// <returns>The requested version when the client asks for Heroku's media type but in no version we speak
    /// (3 or any 3.* variant such as 3.sdk); null when fine or when no Heroku media type was asked for.</returns>
    internal static string? UnsupportedVersion(string accept)
    {
        string? unsupported = null;
        foreach (var mediaRange in accept.Split(','))
        {
            if (!mediaRange.Contains("application/vnd.heroku+json", StringComparison.OrdinalIgnoreCase)) continue;
            var version = mediaRange.Split(';').Skip(1)
                .Select(p => p.Split('=', 2))
                .Where(kv => kv.Length == 2 && kv[0].Trim().Equals("version", StringComparison.OrdinalIgnoreCase))
                .Select(kv => kv[1].Trim().Trim('"'))
                .FirstOrDefault();
            if (version is null || version == "3" || version.StartsWith("3.", StringComparison.Ordinal)) return null;
            unsupported = version;
        }
        return unsupported;
    }
}
