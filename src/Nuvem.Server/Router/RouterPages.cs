using System.Text;

namespace Nuvem.Server.Router;

/// <summary>The router's own answers: small HTML pages like Heroku's, never cached.</summary>
internal static class RouterPages
{
    public static readonly byte[] ApplicationError = Page("Application Error", "Application error",
        "An error occurred in the application and your page could not be served. If you are the application owner, " +
        "check your logs for details: <code>nuvem logs --tail</code>.");

    public static readonly byte[] Maintenance = Page("Offline for Maintenance", "Offline for maintenance",
        "This app is undergoing maintenance right now. Please check back later.");

    public static readonly byte[] NoSuchApp = Page("No such app", "No such app",
        "There is no app configured at that hostname. If you own the app, check its name and domains: <code>nuvem domains</code>.");

    public static async Task WriteAsync(HttpContext context, int status, byte[] page)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-store";
        response.ContentLength = page.Length;
        if (!HttpMethods.IsHead(context.Request.Method)) await response.Body.WriteAsync(page, context.RequestAborted);
    }

    private static byte[] Page(string title, string heading, string text) => Encoding.UTF8.GetBytes($$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}</title>
        <style>body{margin:0;padding:15vh 1em;font-family:system-ui,sans-serif;text-align:center;color:#3f3f44;background:#f7f8fb}h1{font-weight:500}p{max-width:36em;margin:1em auto;line-height:1.5}code{background:#e7e8ee;padding:.1em .3em;border-radius:3px}</style>
        </head>
        <body>
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        </body>
        </html>

        """);
}
