namespace Nuvem.Server.Api.Conventions;

/// <summary>Routing's own answers (no such endpoint, wrong method) come without a body; this gives them Heroku's JSON shape too.</summary>
internal static class ApiErrorBodies
{
    public static IApplicationBuilder UseApiErrorBodies(this IApplicationBuilder app) => app.UseStatusCodePages(async context =>
    {
        var http = context.HttpContext;
        if (http.Response.HasStarted || !string.IsNullOrEmpty(http.Response.ContentType)) return;
        var (id, message) = http.Response.StatusCode switch
        {
            404 => ("not_found", $"No such API endpoint: {http.Request.Method} {http.Request.Path}"),
            405 => ("method_not_allowed", $"{http.Request.Method} is not allowed on {http.Request.Path}."),
            var status => ("error", $"HTTP {status}"),
        };
        await ApiError.WriteAsync(http, http.Response.StatusCode, id, message);
    });
}
