using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Builds.Buildpacks;
using Nuvem.Platform.Builds.Runtime;
using Nuvem.Platform.Git;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Routing;
using Nuvem.Platform.Formation;
using Nuvem.Platform.LogDrains;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;
using Nuvem.Server.Api;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Representations;
using Nuvem.Server.Api.Streams;
using Nuvem.Server.Configuration;
using Nuvem.Server.Dynos;
using Nuvem.Server.Git;
using Nuvem.Server.Rendezvous;
using Nuvem.Server.Router;
using Nuvem.Server.Tls;

// nuvemd — the composition root. Reads the configuration, opens (and migrates) the state, makes sure the
// admin account and the TLS certificate exist, then serves the Platform API over HTTPS.

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        nuvemd — the Nuvem platform server

        Configuration (environment; a flag of the same name, e.g. --api-port 5443, takes precedence):
          NUVEM_DATA_DIR       state, certificates, slugs   (default /var/lib/nuvem as root, else ~/.local/share/nuvem)
          NUVEM_API_PORT       HTTPS Platform API and git   (default 5443)
          NUVEM_ROUTER_PORT    HTTP router for apps         (default 5080)
          NUVEM_RENDEZVOUS_PORT  TLS port for `run` sessions  (default 5001)
          NUVEM_DOMAIN         apps are NAME.DOMAIN         (default localhost)
          NUVEM_API_HOST       host name clients use        (default localhost)
          NUVEM_BIND_ADDRESS   *, localhost or an IP        (default *)
          NUVEM_ADMIN_EMAIL    first-start admin account    (default admin@localhost)
          NUVEM_ADMIN_PASSWORD first-start admin password   (default: generated, saved to DATA_DIR/admin-password)
          NUVEM_ADMIN_TOKEN    first-start admin API token  (optional; for automation)
          NUVEM_TLS_CERT, NUVEM_TLS_KEY   your own certificate and key (PEM) instead of the local CA
          NUVEM_DYNO_SIZES     JSON file with the dyno size table
          NUVEM_BUILD_TIMEOUT  seconds a build may take     (default 900)
          NUVEM_SLUG_MAX_MB    largest compressed slug      (default 500)
          NUVEM_BUILD_MEMORY_MB, NUVEM_BUILD_CPUS, NUVEM_BUILD_PIDS   limits of every build dyno (3072, all cores, 4096)
          NUVEM_BUILD_DISK_MB, NUVEM_BUILD_CACHE_MB, NUVEM_BUILD_TMP_MB   its build dir, per-app cache and /tmp (2048, 2048, 1024)
          NUVEM_BUILD_CONCURRENCY  builds running at once  (default: the number of cores)
          NUVEM_BUILDPACK_DIRS  host directories apps may use as buildpacks, ':'-separated (default: none)
          NUVEM_BOOT_TIMEOUT   seconds a web dyno has to bind $PORT (default 60)
          NUVEM_STOP_GRACE     seconds between SIGTERM and SIGKILL (default 30)
          NUVEM_DYNO_RUNTIME   container (isolated; default) or process (plain processes, no isolation)
          NUVEM_DYNO_OCI_RUNTIME  crun or runc             (default crun where it can run, else runc)
          NUVEM_DYNO_NETWORK   bridge (a namespace per dyno; default) or host (a loopback port per dyno)
          NUVEM_DYNO_BRIDGE, NUVEM_DYNO_SUBNET, NUVEM_DYNO_PORT   bridge mode's interface, addresses and $PORT (nuvem0, 10.213.0.0/16, 5000)
          NUVEM_DYNO_EGRESS_DENY  networks dynos may not reach (default: 10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16; or none)

        nuvemd --stop-dynos   stops every dyno a stopped or killed nuvemd left running (they outlive it on purpose)
          NUVEM_LOG_LINES      log lines kept per app       (default 1500)
          NUVEM_LOG_KEEPALIVE  seconds between keep-alives of an idle log tail (default 15)
          NUVEM_ROUTER_TIMEOUT seconds a dyno may take to start its response before H12 (default 30)
        """);
    return 0;
}

// `nuvemd --stop-dynos`: stops every dyno a (killed) platform left running and removes its network set-up.
var stopDynos = args.Contains("--stop-dynos");
ServerOptions options;
try
{
    options = ServerOptions.Load(args.Where(a => a != "--stop-dynos").ToList());
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"nuvemd: {e.Message}");
    return 2;
}

if (stopDynos)
{
    if (DynoRuntimes.Create(options, new BuildSandbox(options.Builds.Resources), Path.Combine(options.DataDir, "buildpacks", "builtin")) is not { } leftovers)
        return 3;
    await leftovers.Builds.RecoverAsync();
    await leftovers.Dynos.RecoverAsync(_ => null);
    await leftovers.Dynos.ShutdownAsync();
    return 0;
}

// The data directory can be traversed (builds run as app uids and reach their own work and cache directories
// below it) but not listed; everything holding state or secrets is private to the platform.
var privateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
Directory.CreateDirectory(options.DataDir);
File.SetUnixFileMode(options.DataDir, privateMode | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
if (DataDirectoryAccess.Refusal(options.DataDir) is { } refusal) { Console.Error.WriteLine(refusal); return 3; }
foreach (var privateDir in new[] { "tls", "repos", "slugs", "builds", "releases", "sources", "run", "data-protection" })
{
    var path = Path.Combine(options.DataDir, privateDir);
    Directory.CreateDirectory(path);
    File.SetUnixFileMode(path, privateMode);
}

var settings = options.ToPlatformSettings();
var database = new Database(options.DatabasePath);
Migrator.Migrate(database);
foreach (var file in new[] { "", "-wal", "-shm" }.Select(suffix => options.DatabasePath + suffix).Where(File.Exists))
    File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite); // SQLite gives -wal/-shm the same mode
var accounts = new AccountService(database, TimeProvider.System);
var firstStart = AdminBootstrap.EnsureAdmin(accounts, options.DataDir, options.AdminEmail, options.AdminPassword, options.AdminToken);

var ca = new LocalCertificateAuthority(options.TlsDir);
var certificate = options.TlsCertFile is not null
    ? System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(options.TlsCertFile, options.TlsKeyFile)
    : ca.EnsureServerCertificate(new[] { options.ApiHost, "localhost", "127.0.0.1", "::1", options.Domain, "*." + options.Domain }.Distinct().ToList());

// The private socket on which git hooks call back into the platform (never exposed on the network).
var runDir = Path.Combine(options.DataDir, "run");
Directory.CreateDirectory(runDir);
File.SetUnixFileMode(runDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
var hookSocket = Path.Combine(runDir, "hooks.sock");
File.Delete(hookSocket);

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error); // unused: tokens are not cookies
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);     // our own banner says where we listen
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    void Https(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen) => listen.UseHttps(certificate);
    switch (options.Bind)
    {
        case "*": kestrel.ListenAnyIP(options.ApiPort, Https); break;
        case "localhost": kestrel.ListenLocalhost(options.ApiPort, Https); break;
        default: kestrel.Listen(System.Net.IPAddress.Parse(options.Bind), options.ApiPort, Https); break;
    }
    kestrel.ListenUnixSocket(hookSocket);
    // Raw TLS, not HTTP: `run` sessions (the rendezvous protocol of the heroku CLI).
    void Rendezvous(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen)
    {
        listen.UseHttps(certificate);
        listen.UseConnectionHandler<RendezvousConnectionHandler>();
    }
    switch (options.Bind)
    {
        case "*": kestrel.ListenAnyIP(options.RendezvousPort, Rendezvous); break;
        case "localhost": kestrel.ListenLocalhost(options.RendezvousPort, Rendezvous); break;
        default: kestrel.Listen(System.Net.IPAddress.Parse(options.Bind), options.RendezvousPort, Rendezvous); break;
    }
});

builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
    json.SerializerOptions.DictionaryKeyPolicy = null; // config var names are data, not property names
    json.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
});
// ASP.NET keeps a data-protection key ring (unused by the API: tokens are not cookies); keep it with our state, not in $HOME.
builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.DataDir, "data-protection")));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(database);
builder.Services.AddSingleton(accounts);
// The log stream: created by the container so that it is disposed (its pending lines written) when the server stops.
builder.Services.AddSingleton(options.Logs);
builder.Services.AddSingleton(services => new Logplex(database, options.Logs, TimeProvider.System));
builder.Services.AddSingleton<ILogplex>(services => services.GetRequiredService<Logplex>());
builder.Services.AddSingleton<AppService>();
builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<AppDestroyer>(services, options.DataDir));
builder.Services.AddSingleton<ConfigVarService>();
builder.Services.AddSingleton<ReleaseService>();
builder.Services.AddSingleton<FormationService>();
builder.Services.AddSingleton<SlugService>();
builder.Services.AddSingleton<SlugUploads>();
builder.Services.AddSingleton<BuildService>();
builder.Services.AddSingleton<DomainService>();
builder.Services.AddSingleton<LogDrainService>();
builder.Services.AddSingleton<Representation>();
builder.Services.AddSingleton(new SignedUrls(options.DataDir, settings));
builder.Services.AddSingleton<OutputLogs>();
builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<SourceBlobs>(services, Path.Combine(options.DataDir, "sources")));
builder.Services.AddSingleton(new AppRepositories(database, Path.Combine(options.DataDir, "repos")));
builder.Services.AddSingleton<PushSessions>();
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(options.Builds);
var buildpacks = new BuildpackCatalog(Path.Combine(AppContext.BaseDirectory, "buildpacks"), options.DataDir, options.Builds.BuildpackDirectories);
builder.Services.AddSingleton(buildpacks);
builder.Services.AddSingleton<BuildpackInstallations>();
builder.Services.AddSingleton(new SlugStore(Path.Combine(options.DataDir, "slugs")));
var sandbox = new BuildSandbox(options.Builds.Resources);
builder.Services.AddSingleton(sandbox);
if (DynoRuntimes.Create(options, sandbox, buildpacks.BuiltInDirectory) is not { } runtimes) return 3;
var (dynoRuntime, buildRuntime, dynoRuntimeDescription) = (runtimes.Dynos, runtimes.Builds, runtimes.Description);
// A build that a killed platform left half-done has no one waiting for it: its dyno and directories go now.
await buildRuntime.RecoverAsync();
builder.Services.AddSingleton<IDynoRuntime>(dynoRuntime);
builder.Services.AddSingleton(buildRuntime);
builder.Services.AddSingleton<IReleaseCommandRunner>(new DynoReleaseCommandRunner(dynoRuntime, settings, TimeSpan.FromHours(1)));
builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ReleasePhase>(services, options.DataDir));
builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<Builder>(services, options.DataDir));
builder.Services.AddSingleton(options.Dynos);
builder.Services.AddSingleton<DynoManager>();
builder.Services.AddSingleton<IRouteTable>(services => services.GetRequiredService<DynoManager>());
builder.Services.AddHostedService<DynoManagerService>();
builder.Services.AddSingleton<RendezvousSessions>();
// The app router: its own plain-HTTP listener on NUVEM_ROUTER_PORT, resolving every request through the dyno
// manager's route table.
builder.Services.AddSingleton(options.ToRouterOptions());
builder.Services.AddHostedService<RouterService>();
builder.Services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
    .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    .SetDefaultPolicy(new AuthorizationPolicyBuilder(TokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build())
    .AddPolicy(TokenAuthenticationHandler.AdminPolicy, p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(TokenAuthenticationHandler.AdminPolicy));

var app = builder.Build();
app.Services.GetRequiredService<SourceBlobs>().RemoveExpired();
ActivatorUtilities.CreateInstance<InterruptedWork>(app.Services, options.DataDir).Recover(); // before any new build can start
app.UseMiddleware<ApiConventionsMiddleware>();
app.UseStatusCodePages(async context =>
{
    // Routing's own answers (no such endpoint, wrong method) come without a body; give them Heroku's JSON shape too.
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
app.UseAuthentication();
app.UseAuthorization();
app.MapPlatformApi();
app.MapGit(hookSocket);
app.MapPushHook();
app.MapLogStreams();
app.MapOutputStreams((kind, id) => Guid.TryParse(id, out _) ? Path.Combine(options.DataDir, kind, id + ".log") : null);

app.Lifetime.ApplicationStarted.Register(() =>
{
    var apiUrl = $"https://{options.ApiHost}:{options.ApiPort}";
    Console.WriteLine($"""
        Nuvem is running.
          API and git:   {apiUrl}
          Apps:          http://APP.{options.Domain}:{options.RouterPort}/
          Data:          {options.DataDir}
          CA file:       {(options.TlsCertFile is null ? ca.CaCertificateFile : "(operator-provided certificate)")}
                         trust it: NUVEM_CA_FILE / git -c http.sslCAInfo=FILE / NODE_EXTRA_CA_CERTS=FILE
          Run sessions:  rendezvous on port {options.RendezvousPort}
          Dynos:         {dynoRuntimeDescription}
        """);
    if (options.DynoRuntime == "process")
        Console.WriteLine("  WARNING:       dynos run as plain processes (NUVEM_DYNO_RUNTIME=process): apps are NOT isolated from each other or the host.");
    if (buildRuntime.Warning is { } warning) Console.WriteLine($"  WARNING:       {warning}");
    if (firstStart is not null)
    {
        Console.WriteLine($"""
              Admin account: {firstStart.Admin.Email}{(firstStart.GeneratedPasswordFile is null ? "" : $" (password in {firstStart.GeneratedPasswordFile})")}
              Log in:        nuvem login --host {apiUrl} --email {firstStart.Admin.Email}
            """);
    }
});

app.Run();
return 0;
