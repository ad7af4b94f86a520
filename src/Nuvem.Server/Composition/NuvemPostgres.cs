using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Postgres;
using Nuvem.Platform.Dynos.Runtime.Containers;
using Nuvem.Platform.Dynos.Network;
using Nuvem.Server.AddOns;
using Nuvem.Server.Configuration;
using Nuvem.Server.Tls;

namespace Nuvem.Server.Composition;

/// <summary>The Postgres add-on provider and the platform's cluster under it.</summary>
internal static class NuvemPostgres
{
    /// <summary>
    /// Registers <c>heroku-postgresql</c> (an <see cref="IAddOnProvider"/>) and the cluster's supervisor. Without
    /// Debian's PostgreSQL installed, says so and registers nothing: the service is then not in the catalog.
    /// </summary>
    public static IServiceCollection AddNuvemPostgres(this IServiceCollection services, ServerOptions options, LocalCertificateAuthority ca)
    {
        if (PostgresBinaries.Find() is not { } binaries)
        {
            Console.Error.WriteLine($"nuvemd: no heroku-postgresql add-ons: {PostgresBinaries.Missing()}");
            return services;
        }
        var (gateway, network) = DynoAccess(options);
        var names = new[] { "localhost", "127.0.0.1", gateway, options.ApiHost }.Distinct().ToList();
        var (certificate, key) = ca.EnsureCertificatePem("postgres", names);
        var settings = new PostgresClusterSettings(Layout(options), options.PostgresPort,
            network is null ? ["127.0.0.1"] : ["127.0.0.1", gateway], gateway, network,
            certificate, key, File.ReadAllText(ca.CaCertificateFile), TimeSpan.FromDays(options.PostgresFinalBackupDays));
        Func<Task>? prepareNetwork = network is null ? null : () => BridgeNetwork.EnsureBridgeAsync(options.Containers.Bridge, options.Containers.Subnet);
        services.AddSingleton(provider => new PostgresCluster(binaries, settings, Log(provider), prepareNetwork));
        services.AddSingleton(provider => new PostgresFinalBackups(provider.GetRequiredService<PostgresCluster>(), TimeProvider.System));
        services.AddSingleton(provider => new PostgresSizeWatch(provider.GetRequiredService<PostgresCluster>(), Log(provider)));
        services.AddSingleton<IAddOnProvider>(provider => new PostgresProvider(provider.GetRequiredService<PostgresCluster>(),
            provider.GetRequiredService<PostgresFinalBackups>(), Log(provider)));
        services.AddHostedService<PostgresSupervisor>();
        return services.AddNuvemPostgresBackups();
    }

    /// <summary>Stops the cluster a stopped or killed nuvemd left running (<c>nuvemd --stop-dynos</c>).</summary>
    public static async Task StopLeftoverAsync(ServerOptions options)
    {
        if (PostgresBinaries.Find() is not { } binaries) return;
        var settings = new PostgresClusterSettings(Layout(options), options.PostgresPort, [], "", null, "", "", "", TimeSpan.Zero);
        await using var cluster = new PostgresCluster(binaries, settings);
        await cluster.StopAsync();
    }

    private static string Layout(ServerOptions options) => Path.Combine(options.DataDir, "addons", "postgres");

    /// <summary>Where dynos reach the host: the bridge's gateway in bridge mode (from their subnet), else loopback.</summary>
    private static (string Host, string? Network) DynoAccess(ServerOptions options) =>
        options.DynoRuntime == "container" && options.Containers.Network == DynoNetworkMode.Bridge
            ? (BridgeNetwork.GatewayOf(options.Containers.Subnet), options.Containers.Subnet)
            : ("127.0.0.1", null);

    private static Action<string> Log(IServiceProvider provider)
    {
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Nuvem.Postgres");
        return line => logger.LogInformation("{Line}", line);
    }
}
