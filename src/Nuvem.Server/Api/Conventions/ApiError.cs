using System.Text.Json;
using Nuvem.Platform;

namespace Nuvem.Server.Api.Conventions;

/// <summary>Heroku's error body: <c>{"id": "not_found", "message": "Couldn't find that app.", "resource": "app"}</c>.</summary>
public static class ApiError
{
    public static int StatusFor(ErrorKind kind) => kind switch
    {
        ErrorKind.BadRequest => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Invalid => StatusCodes.Status422UnprocessableEntity,
        ErrorKind.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status500InternalServerError,
    };

    // Messages quote names and commands; keep them readable instead of \u0027-escaped.
    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteAsync(HttpContext context, int status, string id, string message, string? resource = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = resource is null
            ? JsonSerializer.Serialize(new { id, message }, Options)
            : JsonSerializer.Serialize(new { id, message, resource }, Options);
        return context.Response.WriteAsync(body);
    }

    public static Task WriteAsync(HttpContext context, PlatformException error) =>
        WriteAsync(context, StatusFor(error.Kind), error.Id, error.Message, error.Resource);
}
