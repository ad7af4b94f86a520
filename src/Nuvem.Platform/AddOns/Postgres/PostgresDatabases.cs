using Npgsql;

namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// What Heroku's data API does to one add-on's database, on the platform's cluster (as its superuser, over the private
/// socket): its statistics, ending its sessions, and <c>pg:reset</c> — the database dropped and made again, empty,
/// owned by the same role, so that the app's <c>DATABASE_URL</c> keeps working.
/// </summary>
public sealed class PostgresDatabases(PostgresCluster cluster)
{
    private readonly PostgresInfoStore _info = new(new NpgsqlConnectionStringBuilder
    {
        Host = cluster.Layout.SocketDirectory,
        Port = cluster.Settings.Port,
        Username = PostgresConfigFiles.Superuser,
        Database = "postgres",
        Timeout = 5,
        CommandTimeout = 300,
    }.ConnectionString);

    /// <summary>The add-on's database in the cluster (its provider id), or not found when it has none (yet).</summary>
    public async Task<PostgresDatabaseRecord> FindAsync(AddOn addOn, CancellationToken cancellation)
    {
        if (addOn.Service != PostgresPlans.Service || addOn.State != AddOnStates.Provisioned || addOn.ProviderId is null || !cluster.Layout.Initialized)
            throw NotProvisioned(addOn);
        await cluster.EnsureRunningAsync(cancellation);
        return await cluster.Admin.FindByNameAsync(addOn.ProviderId, cancellation) ?? throw NotProvisioned(addOn);
    }

    public async Task<PostgresStats> StatsAsync(PostgresDatabaseRecord database, CancellationToken cancellation) =>
        await _info.StatsAsync(database.Name, cancellation);

    /// <summary><c>pg:killall</c>: every session of the database ends (the app's pools reconnect).</summary>
    public Task<long> ResetConnectionsAsync(PostgresDatabaseRecord database, CancellationToken cancellation) =>
        _info.TerminateSessionsAsync(database.Name, cancellation);

    /// <summary>
    /// <c>pg:reset</c>: drops the database (ending its sessions) and makes it again, empty, for the same role and password,
    /// then makes the <paramref name="extensions"/> asked for (trusted ones only, checked first: a refused one resets
    /// nothing). A database that was over its size is writable again.
    /// </summary>
    public async Task ResetAsync(PostgresDatabaseRecord database, IReadOnlyList<string> extensions, CancellationToken cancellation)
    {
        foreach (var extension in extensions)
            if (extension.Length == 0 || extension.Length > 63 || !extension.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                throw PlatformException.Invalid($"{extension} is not an extension name.");
        foreach (var extension in extensions) // before anything is dropped
            if (!await _info.ExtensionTrustedAsync(extension, cancellation))
                throw PlatformException.Invalid($"Could not install the extension {extension}: not an extension a database's owner may make here.");
        var admin = cluster.Admin;
        await admin.DropDatabaseAsync(database.Name, cancellation);
        await admin.EnsureDatabaseAsync(database.Name, cancellation);
        if (database.ReadOnly)
        {
            await cluster.Quota.DropOwnerAsync(database.Name, cancellation); // what owned its tables went with them
            await admin.SetReadOnlyAsync(database.Name, false, cancellation);
        }
        foreach (var extension in extensions) await _info.CreateExtensionAsync(database.Name, extension, cancellation);
    }

    private static PlatformException NotProvisioned(AddOn addOn) =>
        PlatformException.NotFound("database", $"{addOn.Name} is not yet provisioned (or not a {PostgresPlans.Service} database).");
}
