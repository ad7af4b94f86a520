using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Redis;
using Nuvem.Platform.Dynos.Network;
using Nuvem.Platform.Dynos.Runtime.Containers;
using Nuvem.Server.AddOns;
using Nuvem.Server.Configuration;

namespace Nuvem.Server.Composition;

/// <summary>The heroku-redis add-on provider and its servers' supervisor.</summary>
internal static class NuvemRedis
{
    /// <summary>
    /// Registers <c>heroku-redis</c> (an <see cref="IAddOnProvider"/>) and the servers' supervisor. Without Debian's
    /// redis-server installed (or its redis user, when nuvemd is root), says so and registers nothing.
    /// </summary>
    public static IServiceCollection AddNuvemRedis(this IServiceCollection services, ServerOptions options)
    {
        var settings = Settings(options);
        if (Missing(settings) is { } missing)
        {
            Console.Error.WriteLine($"nuvemd: no heroku-redis add-ons: {missing}");
            return services;
        }
        var bridge = options.DynoRuntime == "container" && options.Containers.Network == DynoNetworkMode.Bridge;
        Func<Task>? prepareNetwork = bridge ? () => BridgeNetwork.EnsureBridgeAsync(options.Containers.Bridge, options.Containers.Subnet) : null;
        services.AddSingleton(provider => new RedisServers(settings, Log(provider), prepareNetwork));
        services.AddSingleton(provider => new RedisProvider(provider.GetRequiredService<RedisServers>(), Log(provider)));
        services.AddSingleton<IAddOnProvider>(provider => provider.GetRequiredService<RedisProvider>());
        services.AddHostedService<RedisSupervisor>();
        return services;
    }

    /// <summary>Stops the servers a stopped or killed nuvemd left running (<c>nuvemd --stop-dynos</c>).</summary>
    public static async Task StopLeftoverAsync(ServerOptions options)
    {
        var settings = Settings(options);
        if (Missing(settings) is not null) return;
        var servers = new RedisServers(settings);
        foreach (var instance in servers.All()) await servers.StopAsync(instance.Name, CancellationToken.None);
    }

    /// <summary>Listening at 127.0.0.1, and at the bridge's gateway in bridge mode (where dynos reach the host).</summary>
    private static RedisSettings Settings(ServerOptions options)
    {
        var directory = Path.Combine(options.DataDir, "addons", "redis");
        var (first, last) = options.RedisPorts;
        if (options.DynoRuntime == "container" && options.Containers.Network == DynoNetworkMode.Bridge)
        {
            var gateway = BridgeNetwork.GatewayOf(options.Containers.Subnet);
            return new RedisSettings(directory, first, last, ["127.0.0.1", gateway], gateway);
        }
        return new RedisSettings(directory, first, last, ["127.0.0.1"], "127.0.0.1");
    }

    private static string? Missing(RedisSettings settings)
    {
        if (!File.Exists(settings.ServerBinary)) return $"{settings.ServerBinary} is missing (apt-get install redis-server).";
        if (Environment.IsPrivilegedProcess && !File.ReadLines("/etc/passwd").Any(l => l.StartsWith(settings.OsUser + ":", StringComparison.Ordinal)))
            return $"there is no OS user {settings.OsUser} to run redis-server as (apt-get install redis-server makes it).";
        return null;
    }

    private static Action<string> Log(IServiceProvider provider)
    {
        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Nuvem.Redis");
        return line => logger.LogInformation("{Line}", line);
    }
}
