using System.Net;

namespace Nuvem.Cli.Api;

/// <summary>
/// A non-2xx answer from the Platform API. The message is the server's <c>message</c> (what Heroku's CLI prints);
/// <see cref="Id"/> is the machine-readable error id, e.g. <c>not_found</c> or <c>unauthorized</c>.
/// </summary>
public sealed class PlatformApiException(HttpStatusCode status, string? id, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    public string? Id { get; } = id;
}
