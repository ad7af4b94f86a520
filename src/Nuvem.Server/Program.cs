using Microsoft.AspNetCore.Connections;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Builds.Buildpacks;
using Nuvem.Platform.Operations;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;
using Nuvem.Server.Api;
using Nuvem.Server.Api.Conventions;
using Nuvem.Server.Api.Streams;
using Nuvem.Server.Composition;
using Nuvem.Server.Configuration;
using Nuvem.Server.Dynos;
using Nuvem.Server.Git;
using Nuvem.Server.Rendezvous;
using Nuvem.Server.Tls;

// nuvemd — the composition root. Reads the configuration, opens (and migrates) the state, makes sure the
// admin account and the TLS certificate exist, then serves the Platform API over HTTPS.

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(HelpText.Text);
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
    if (DynoRuntimes.Create(options, new HostSandbox(options.Builds.Resources.ToJailLimits()), new SlugBlobStore(Path.Combine(options.DataDir, "slugs")),
            Path.Combine(options.DataDir, "buildpacks", "builtin")) is not { } leftovers)
        return 3;
    await leftovers.Builds.RecoverAsync();
    await leftovers.Dynos.RecoverAsync(_ => null);
    await leftovers.Dynos.ShutdownAsync();
    await NuvemPostgres.StopLeftoverAsync(options);
    await NuvemRedis.StopLeftoverAsync(options);
    return 0;
}

if (DataDirectory.Prepare(options.DataDir) is { } refusal) { Console.Error.WriteLine(refusal); return 3; }

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
builder.WebHost.ConfigureKestrel(kestrel => Listeners.Configure(kestrel, options, certificate, hookSocket));

var buildpacks = new BuildpackCatalog(Path.Combine(AppContext.BaseDirectory, "buildpacks"), options.DataDir, options.Builds.BuildpackDirectories);
var sandbox = new HostSandbox(options.Builds.Resources.ToJailLimits());
if (DynoRuntimes.Create(options, sandbox, new SlugBlobStore(Path.Combine(options.DataDir, "slugs")), buildpacks.BuiltInDirectory) is not { } runtimes) return 3;
// A build that a killed platform left half-done has no one waiting for it: its dyno and directories go now.
await runtimes.Builds.RecoverAsync();
builder.Services
    .AddNuvemState(options, settings, database, accounts)
    .AddNuvemApps(options, database)
    .AddNuvemBuilds(options, buildpacks, sandbox, runtimes.Builds)
    .AddNuvemDynos(options, settings, runtimes.Dynos)
    .AddNuvemAddOns()
    .AddNuvemPostgres(options, ca)
    .AddNuvemRedis(options)
    .AddNuvemWebhooks()
    .AddNuvemScheduler()
    .AddNuvemApi(options, settings);

var app = builder.Build();
app.Services.GetRequiredService<SourceBlobs>().RemoveExpired();
ActivatorUtilities.CreateInstance<InterruptedWork>(app.Services, options.DataDir).Recover(); // before any new build can start
app.UseMiddleware<ApiConventionsMiddleware>();
app.UseApiErrorBodies();
app.UseAuthentication();
app.UseAuthorization();
app.MapPlatformApi();
app.MapGit(hookSocket);
app.MapPushHook();
app.MapLogStreams();
app.MapOutputStreams((kind, id) => Guid.TryParse(id, out _) ? Path.Combine(options.DataDir, kind, id + ".log") : null);

app.Lifetime.ApplicationStarted.Register(() => StartBanner.Print(options, ca, runtimes.Description, runtimes.Builds.Warning, firstStart));

app.Run();
return 0;
