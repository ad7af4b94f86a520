using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Routing;

namespace Nuvem.Server.Router;

/// <summary>
/// The app router's own plain-HTTP Kestrel listener, separate from the API's HTTPS pipeline (no API conventions,
/// authentication or JSON errors apply to app traffic). nuvemd runs one through <see cref="RouterService"/>; tests
/// and the benchmark host one directly with a route table of their own.
/// </summary>
public sealed class RouterHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RouterHost(WebApplication app, AppRouter router, int port)
    {
        _app = app;
        Router = router;
        Port = port;
    }

    public AppRouter Router { get; }

    /// <summary>The port it listens on (the one asked for, or the free one picked for port 0).</summary>
    public int Port { get; }

    public static async Task<RouterHost> StartAsync(RouterOptions options, IRouteTable routes, ILogplex logplex,
        ILoggerFactory? loggers = null, CancellationToken cancellation = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        // The router's own log lines go to the app's log stream; YARP's per-request and per-failure messages would
        // only repeat them in the server's log, so only its errors pass.
        builder.Logging.AddFilter("Yarp", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        if (loggers is not null) builder.Logging.AddProvider(new ForwardingLoggerProvider(loggers));
        // The process's own host owns signals and shutdown; this one is started and stopped by it.
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // a dyno decides what it accepts
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(90);
            switch (options.Bind)
            {
                case "*": kestrel.ListenAnyIP(options.Port); break;
                case "localhost" when options.Port == 0: kestrel.Listen(IPAddress.Loopback, 0); break;
                case "localhost": kestrel.ListenLocalhost(options.Port); break;
                default: kestrel.Listen(IPAddress.Parse(options.Bind), options.Port); break;
            }
        });
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(routes);
        builder.Services.AddSingleton(logplex);
        builder.Services.AddSingleton<AppRouter>();

        var app = builder.Build();
        var router = app.Services.GetRequiredService<AppRouter>();
        app.Run(router.HandleAsync);
        await app.StartAsync(cancellation);

        var port = options.Port;
        if (port == 0)
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
                            ?? throw new InvalidOperationException("Kestrel did not report its addresses.");
            string first = addresses.First();
            port = new Uri(first.Replace("*", "localhost").Replace("+", "localhost")).Port;
        }
        return new RouterHost(app, router, port);
    }

    public Task StopAsync(CancellationToken cancellation = default) => _app.StopAsync(cancellation);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Hands this host's (filtered) log messages to the process's own logging.</summary>
    private sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);
        public void Dispose() { }
    }

    private sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>nuvemd's router: starts with the server, on NUVEM_ROUTER_PORT, and stops with it.</summary>
public sealed class RouterService(RouterOptions options, IRouteTable routes, ILogplex logplex, ILoggerFactory loggers) : IHostedService
{
    private RouterHost? _host;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _host = await RouterHost.StartAsync(options, routes, logplex, loggers, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_host is null) return;
        await _host.StopAsync(cancellationToken);
        await _host.DisposeAsync();
    }
}
