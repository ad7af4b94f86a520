using Nuvem.Platform.AddOns.Postgres;
using Nuvem.Platform.AddOns.Postgres.Backups;
using Nuvem.Server.AddOns;

namespace Nuvem.Server.Composition;

/// <summary>Backups of heroku-postgresql add-ons (their transfers, the engine on the platform's cluster, the schedule).</summary>
internal static class PostgresBackupServices
{
    public static IServiceCollection AddNuvemPostgresBackups(this IServiceCollection services)
    {
        services.AddSingleton<PgTransferStore>();
        services.AddSingleton(provider => new PostgresBackupEngine(provider.GetRequiredService<PostgresCluster>()));
        services.AddSingleton(provider =>
        {
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Nuvem.Postgres");
            return new PostgresBackups(provider.GetRequiredService<PgTransferStore>(), provider.GetRequiredService<PostgresBackupEngine>(),
                provider.GetRequiredService<PostgresCluster>(), TimeProvider.System, line => logger.LogInformation("{Line}", line));
        });
        services.AddHostedService<PostgresBackupScheduler>();
        return services;
    }
}
