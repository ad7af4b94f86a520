using Npgsql;
using static Nuvem.Platform.AddOns.Postgres.PostgresAdminStore;

namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// The data API's SQL, as the superuser over the cluster's private socket: one database's statistics for
/// <c>pg:info</c>, ending its sessions (<c>pg:killall</c>), and the extensions <c>pg:reset --extensions</c> asks for.
/// </summary>
/// <param name="adminConnectionString">The superuser's connection string (the <c>postgres</c> database); the database's
/// own statistics (its tables) need a session in it.</param>
public sealed class PostgresInfoStore(string adminConnectionString)
{
    public async Task<PostgresStats> StatsAsync(string name, CancellationToken cancellation)
    {
        PostgresStats stats;
        await using (var admin = await OpenAsync("postgres", cancellation))
        await using (var command = new NpgsqlCommand("""
            SELECT pg_database_size(d.datname),
                   (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname),
                   coalesce((SELECT r.rolconnlimit FROM pg_roles r WHERE r.rolname = $1), -1),
                   current_setting('server_version'),
                   coalesce(n.created_at, now()),
                   coalesce(n.read_only, false)
            FROM pg_database d LEFT JOIN nuvem_databases n ON n.name = d.datname
            WHERE d.datname = $1
            """, admin))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            await using var reader = await command.ExecuteReaderAsync(cancellation);
            if (!await reader.ReadAsync(cancellation)) throw PlatformException.NotFound("database", $"No database {name} in the cluster.");
            stats = new PostgresStats(reader.GetInt64(0), 0, reader.GetInt64(1), reader.GetInt32(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetBoolean(5));
        }
        await using (var own = await OpenAsync(name, cancellation))
        await using (var tables = new NpgsqlCommand("""
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
            """, own))
            return stats with { Tables = Convert.ToInt64(await tables.ExecuteScalarAsync(cancellation)) };
    }

    /// <summary>Ends every session open to the database (or of its role).</summary>
    /// <returns>How many were ended.</returns>
    public async Task<long> TerminateSessionsAsync(string name, CancellationToken cancellation)
    {
        await using var admin = await OpenAsync("postgres", cancellation);
        await using var command = new NpgsqlCommand("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE (datname = $1 OR usename = $1) AND pid <> pg_backend_pid()
            """, admin);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellation));
    }

    /// <summary>Whether the cluster has the extension and a database owner may make it (<c>trusted</c>, PostgreSQL 13+).</summary>
    public async Task<bool> ExtensionTrustedAsync(string extension, CancellationToken cancellation)
    {
        await using var admin = await OpenAsync("postgres", cancellation);
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(bool_or(trusted), false) FROM pg_available_extension_versions WHERE name = $1", admin);
        command.Parameters.Add(new NpgsqlParameter { Value = extension });
        return (bool)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>
    /// Makes an extension in the database's <c>public</c> schema as its own role would (<c>SET ROLE</c>): only trusted
    /// extensions (those a database owner may make itself) are made; any other is refused by the server.
    /// </summary>
    /// <exception cref="PlatformException">Not an extension the role may make.</exception>
    public async Task CreateExtensionAsync(string name, string extension, CancellationToken cancellation)
    {
        await using var own = await OpenAsync(name, cancellation);
        await using (var role = new NpgsqlCommand($"SET ROLE {Identifier(name)}", own)) await role.ExecuteNonQueryAsync(cancellation);
        try
        {
            await using var create = new NpgsqlCommand($"CREATE EXTENSION IF NOT EXISTS {Identifier(extension)} SCHEMA public", own);
            await create.ExecuteNonQueryAsync(cancellation);
        }
        catch (PostgresException e)
        {
            throw PlatformException.Invalid($"Could not install the extension {extension}: {e.MessageText}");
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(string database, CancellationToken cancellation)
    {
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database, Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellation);
        return connection;
    }
}
