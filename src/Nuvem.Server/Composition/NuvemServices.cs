using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Builds.Buildpacks;
using Nuvem.Platform.Builds.Runtime;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Dynos.Scheduling;
using Nuvem.Platform.Formation;
using Nuvem.Platform.Git;
using Nuvem.Platform.LogDrains;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Operations;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Routing;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;
using Nuvem.Server.Api.Auth;
using Nuvem.Server.Api.Representations;
using Nuvem.Server.Api.Streams;
using Nuvem.Server.Configuration;
using Nuvem.Server.Dynos;
using Nuvem.Server.Git;
using Nuvem.Server.Rendezvous;
using Nuvem.Server.Router;

namespace Nuvem.Server.Composition;

/// <summary>
/// The platform's services, registered one concept at a time (as YARP's <c>AddReverseProxy()</c> does), so that
/// Program.cs only decides the order of start-up and which backends run.
/// </summary>
internal static class NuvemServices
{
    /// <summary>Settings, the database, accounts and the log stream: what every other part uses.</summary>
    public static IServiceCollection AddNuvemState(this IServiceCollection services, ServerOptions options, PlatformSettings settings,
        Database database, AccountService accounts)
    {
        // ASP.NET keeps a data-protection key ring (unused by the API: tokens are not cookies); keep it with our state, not in $HOME.
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.DataDir, "data-protection")));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(settings);
        services.AddSingleton(database);
        services.AddSingleton(accounts);
        // The log stream: created by the container so that it is disposed (its pending lines written) when the server stops.
        services.AddSingleton(options.Logs);
        services.AddSingleton(_ => new Logplex(database, options.Logs, TimeProvider.System));
        services.AddSingleton<ILogplex>(provider => provider.GetRequiredService<Logplex>());
        services.AddSingleton<LogDrainService>();
        return services;
    }

    /// <summary>Apps and what belongs to each: config vars, releases, formation, slugs, domains, repositories.</summary>
    public static IServiceCollection AddNuvemApps(this IServiceCollection services, ServerOptions options, Database database)
    {
        services.AddSingleton<AppStore>();
        services.AddSingleton<ReleaseStore>();
        services.AddSingleton<SlugStore>();
        services.AddSingleton<FormationStore>();
        services.AddSingleton<DomainStore>();
        services.AddSingleton<LogDrainStore>();
        services.AddSingleton(provider => new AppService(database, provider.GetRequiredService<PlatformSettings>()));
        services.AddSingleton<ConfigVarService>();
        services.AddSingleton<ReleaseService>();
        services.AddSingleton<FormationService>();
        services.AddSingleton<SlugService>();
        services.AddSingleton(new SlugLimits(options.Builds.MaxSlugBytes));
        services.AddSingleton<SlugUploads>();
        services.AddSingleton(new SlugBlobStore(Path.Combine(options.DataDir, "slugs")));
        services.AddSingleton<ISlugBlobs>(provider => provider.GetRequiredService<SlugBlobStore>());
        services.AddSingleton<DomainService>();
        services.AddSingleton(new AppRepositories(database, Path.Combine(options.DataDir, "repos")));
        return services.AddNuvemOperations(options);
    }

    /// <summary>One class per user-visible action, called by the API, the git hook and (later) the dashboard.</summary>
    private static IServiceCollection AddNuvemOperations(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton<CreateApp>();
        services.AddSingleton<UpdateApp>();
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<DestroyApp>(provider, options.DataDir));
        services.AddSingleton<SetConfigVars>();
        services.AddSingleton<DeploySlug>();
        services.AddSingleton<Rollback>();
        services.AddSingleton<Scale>();
        services.AddSingleton<RestartDynos>();
        services.AddSingleton<StopDynos>();
        services.AddSingleton<RunOneOff>();
        return services;
    }

    /// <summary>Builds: the builder, buildpacks, where builds run, and the release phase that follows them.</summary>
    public static IServiceCollection AddNuvemBuilds(this IServiceCollection services, ServerOptions options, BuildpackCatalog buildpacks,
        HostSandbox sandbox, IBuildRuntime runtime)
    {
        services.AddSingleton(options.Builds);
        services.AddSingleton(buildpacks);
        services.AddSingleton<BuildpackInstallationStore>();
        services.AddSingleton(sandbox);
        services.AddSingleton(runtime);
        services.AddSingleton<BuildStore>();
        services.AddSingleton<OutputLogs>();
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<ReleasePhase>(provider, options.DataDir));
        services.AddSingleton<IBuildExecutor>(provider => ActivatorUtilities.CreateInstance<LocalBuildExecutor>(provider, options.DataDir));
        services.AddSingleton<IBuiltSlugReleaser, ReleaseBuiltSlug>();
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<Builder>(provider, options.DataDir));
        return services;
    }

    /// <summary>Dynos: the runtime, the local scheduler (which is also the route table) and the app router in front of them.</summary>
    public static IServiceCollection AddNuvemDynos(this IServiceCollection services, ServerOptions options, PlatformSettings settings,
        IDynoRuntime runtime)
    {
        services.AddSingleton(runtime);
        services.AddSingleton<IReleaseCommandRunner>(new DynoReleaseCommandRunner(runtime, settings, TimeSpan.FromHours(1)));
        services.AddSingleton(options.Dynos);
        services.AddSingleton<IDesiredStateSource, DesiredStateStore>();
        services.AddSingleton<LocalScheduler>();
        services.AddSingleton<IScheduler>(provider => provider.GetRequiredService<LocalScheduler>());
        services.AddSingleton<IRouteTable>(provider => provider.GetRequiredService<LocalScheduler>());
        services.AddHostedService<SchedulerService>();
        services.AddSingleton<RendezvousSessions>();
        // The app router: its own plain-HTTP listener on NUVEM_ROUTER_PORT, resolving every request through the dyno
        // scheduler's route table.
        services.AddSingleton(options.ToRouterOptions());
        services.AddHostedService<RouterService>();
        return services;
    }

    /// <summary>The Platform API's own parts: JSON in Heroku's snake_case, token authentication, representations, signed URLs, uploads, git pushes.</summary>
    public static IServiceCollection AddNuvemApi(this IServiceCollection services, ServerOptions options, PlatformSettings settings)
    {
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DictionaryKeyPolicy = null; // config var names are data, not property names
            json.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        services.AddSingleton<Representation>();
        services.AddSingleton(new SignedUrls(options.DataDir, settings));
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<SourceBlobs>(provider, Path.Combine(options.DataDir, "sources")));
        services.AddSingleton<PushSessions>();
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(TokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(TokenAuthenticationHandler.AdminPolicy, p => p.AddAuthenticationSchemes(TokenAuthenticationHandler.SchemeName).RequireRole(TokenAuthenticationHandler.AdminPolicy));
        return services;
    }
}
