using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Git;
using Nuvem.Server.Api.Auth;

namespace Nuvem.Server.Git;

/// <summary>
/// Git's smart HTTP protocol on the API's host:port — <c>https://HOST:PORT/APP.git</c> — served by real git
/// (<c>upload-pack</c> / <c>receive-pack --stateless-rpc</c>). Users authenticate with HTTP Basic, any user
/// name and their API token as password (what the heroku CLI's credential helper sends).
/// App names cannot contain dots, so "/NAME.git/…" never collides with an API path.
/// </summary>
public static class GitEndpoints
{
    private static readonly string[] Services = ["git-upload-pack", "git-receive-pack"];

    public static void MapGit(this IEndpointRouteBuilder endpoints, string hookSocket)
    {
        var git = endpoints.MapGroup("/{app}.git").RequireAuthorization();

        git.MapGet("/info/refs", async (HttpContext http, string app, string? service, AppService apps, AppRepositories repositories) =>
        {
            if (service is null || !Services.Contains(service))
                return Results.Text("Only smart HTTP is served: use git 1.6.6 or newer.\n", statusCode: StatusCodes.Status403Forbidden);
            var target = apps.Find(http.Caller().Account, app);
            var repository = repositories.Ensure(target);
            http.Response.ContentType = $"application/x-{service}-advertisement";
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.Body.WriteAsync(PktLine($"# service={service}\n"));
            await http.Response.Body.WriteAsync("0000"u8.ToArray());
            await RunGitAsync(http, repositories.Git, repository, [service[4..], "--stateless-rpc", "--advertise-refs", repository], input: null, environment: []);
            return Results.Empty;
        });

        git.MapPost("/git-upload-pack", async (HttpContext http, string app, AppService apps, AppRepositories repositories) =>
        {
            var repository = repositories.Ensure(apps.Find(http.Caller().Account, app));
            http.Response.ContentType = "application/x-git-upload-pack-result";
            await RunGitAsync(http, repositories.Git, repository, ["upload-pack", "--stateless-rpc", repository], RequestBody(http), environment: []);
        });

        git.MapPost("/git-receive-pack", async (HttpContext http, string app, AppService apps, AppRepositories repositories, PushSessions sessions) =>
        {
            var caller = http.Caller().Account;
            var target = apps.Find(caller, app);
            var repository = repositories.Ensure(target);
            var token = sessions.Open(target, caller);
            try
            {
                http.Response.ContentType = "application/x-git-receive-pack-result";
                http.Response.Headers.CacheControl = "no-cache";
                await RunGitAsync(http, repositories.Git, repository, ["receive-pack", "--stateless-rpc", repository], RequestBody(http), new()
                {
                    [AppRepositories.HookSocketVariable] = hookSocket,
                    [AppRepositories.PushTokenVariable] = token,
                });
                // The pusher has all of git's answer: the size is recorded after their push returns, not before.
                await http.Response.CompleteAsync();
                repositories.RecordSize(target);
            }
            finally
            {
                sessions.Close(token);
            }
        });
    }

    /// <summary>
    /// The pre-receive hook's call back: the pushed commit as a tar, answered with the build output line by line
    /// and a last line saying whether the push may go on. Only served on the platform's private unix socket.
    /// </summary>
    public static void MapPushHook(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPut("/internal/push/{token}", async (HttpContext http, string token, string? commit, PushSessions sessions, Builder builder) =>
        {
            // Only the unix socket has no local IP address: the hook endpoint is never served over TCP.
            if (http.Connection.LocalIpAddress is not null || sessions.Take(token) is not { } session)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            http.Response.ContentType = "text/plain; charset=utf-8";
            async Task Line(string text)
            {
                await http.Response.WriteAsync(text + "\n");
                await http.Response.Body.FlushAsync();
            }
            // The build outlives a pusher who hangs up: a half-made release must not depend on their connection.
            var source = BuildSource.Held(_ => Task.FromResult(http.Request.Body), commit);
            var result = await builder.Start(session.App, session.Pusher.Id, source, Line).Completion;
            await Line($"{AppRepositories.ResultMarker} {(result.Release is null ? "failed" : "succeeded")}");
        });
    }

    private static Stream RequestBody(HttpContext http) =>
        http.Request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(http.Request.Body, CompressionMode.Decompress)
            : http.Request.Body;

    private static byte[] PktLine(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        return Encoding.ASCII.GetBytes((payload.Length + 4).ToString("x4")).Concat(payload).ToArray();
    }

    /// <summary>Runs git with the request body as stdin and streams its stdout to the client as it comes,
    /// so build output relayed through the hook reaches the pusher live. Only the platform configures that git
    /// (see <see cref="PlatformGit"/>).</summary>
    private static async Task RunGitAsync(HttpContext http, PlatformGit git, string repository, string[] args, Stream? input,
        Dictionary<string, string> environment)
    {
        var start = git.Start(repository, args, environment);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var feed = Task.Run(async () =>
        {
            try
            {
                if (input is not null) await input.CopyToAsync(process.StandardInput.BaseStream);
            }
            catch (IOException)
            {
                // git stopped reading (it failed); its exit status tells the rest.
            }
            finally
            {
                process.StandardInput.Close();
            }
        });

        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer)) > 0)
        {
            await http.Response.Body.WriteAsync(buffer.AsMemory(0, read));
            await http.Response.Body.FlushAsync();
        }
        await feed;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Nuvem.Git");
            logger.LogWarning("git {Command} exited {Code}: {Error}", args[0], process.ExitCode, (await stderr).Trim());
        }
    }
}
