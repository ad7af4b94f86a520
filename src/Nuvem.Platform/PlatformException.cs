namespace Nuvem.Platform;

/// <summary>What kind of refusal an error is; the API maps each to its HTTP status.</summary>
public enum ErrorKind
{
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Invalid,
    /// <summary>A body of a kind the endpoint does not take (an upload that is not gzip).</summary>
    UnsupportedMediaType,
    /// <summary>A body over a size limit.</summary>
    TooLarge,
}

/// <summary>
/// A refusal the caller can act on (bad input, unknown resource, missing rights). Carries Heroku's
/// error <see cref="Id"/> (e.g. <c>not_found</c>, <c>invalid_params</c>) and a message meant for people.
/// Anything that is not a PlatformException is a bug and surfaces as a 500.
/// </summary>
public sealed class PlatformException(ErrorKind kind, string id, string message, string? resource = null)
    : Exception(message)
{
    public ErrorKind Kind { get; } = kind;
    public string Id { get; } = id;
    public string? Resource { get; } = resource;

    public static PlatformException NotFound(string resource, string? message = null) =>
        new(ErrorKind.NotFound, "not_found", message ?? $"Couldn't find that {resource.Replace('_', ' ')}.", resource);

    public static PlatformException Invalid(string message) => new(ErrorKind.Invalid, "invalid_params", message);

    public static PlatformException BadRequest(string message) => new(ErrorKind.BadRequest, "bad_request", message);

    public static PlatformException Forbidden(string message) => new(ErrorKind.Forbidden, "forbidden", message);

    public static PlatformException Unauthorized(string message = "Invalid credentials provided.") =>
        new(ErrorKind.Unauthorized, "unauthorized", message);
}
