using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Nuvem.Bench;

/// <summary>The API benchmark's baseline: Kestrel over TLS answering a fixed JSON body, no routing, auth or database.</summary>
internal sealed class BaselineServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private BaselineServer(WebApplication app) => _app = app;

    public static async Task<BaselineServer> StartAsync(string body, int port)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var bytes = Encoding.UTF8.GetBytes(body);
        app.Run(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(bytes);
        });
        await app.StartAsync();
        return new BaselineServer(app);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
