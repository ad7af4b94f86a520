using Npgsql;
using static Nuvem.Platform.AddOns.Postgres.PostgresAdminStore;

namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// Refusing writes to a database over its plan's size, the way Heroku does (INSERT, UPDATE and CREATE revoked; SELECT,
/// DELETE and TRUNCATE kept, so the app can read and make room), in a way the role cannot undo: a role owns its
/// database and tables and could grant itself anything back, so ownership of everything it owns moves to a NOLOGIN
/// role of the platform's (<c>NAME_owner</c>, <c>REASSIGN OWNED</c>), and the role gets back only CONNECT, USAGE and
/// SELECT/DELETE/TRUNCATE. A per-session <c>default_transaction_read_only</c> would not do: any session can SET it off.
/// Restoring moves ownership back and drops the owner role. Runs as the superuser in the add-on's own database.
/// </summary>
public sealed class PostgresQuotaStore(string adminConnectionString)
{
    public static string OwnerOf(string name) => name + "_owner";

    public async Task RevokeWritesAsync(string name, CancellationToken cancellation)
    {
        var (role, owner) = (Identifier(name), Identifier(OwnerOf(name)));
        await using var connection = await OpenAsync(name, cancellation);
        await Run(connection, $"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {Literal(OwnerOf(name))}) THEN
                CREATE ROLE {owner} NOLOGIN;
              END IF;
            END $$
            """, cancellation);
        await Run(connection, $"REASSIGN OWNED BY {role} TO {owner}", cancellation);
        await Run(connection, $"GRANT CONNECT ON DATABASE {Identifier(name)} TO {role}", cancellation);
        foreach (var schema in await SchemasAsync(connection, cancellation))
        {
            var s = Identifier(schema);
            await Run(connection, $"REVOKE CREATE ON SCHEMA {s} FROM {role}", cancellation);
            await Run(connection, $"GRANT USAGE ON SCHEMA {s} TO {role}", cancellation);
            await Run(connection, $"REVOKE INSERT, UPDATE ON ALL TABLES IN SCHEMA {s} FROM {role}", cancellation);
            await Run(connection, $"GRANT SELECT, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {s} TO {role}", cancellation);
            await Run(connection, $"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {role}", cancellation);
        }
    }

    public async Task RestoreWritesAsync(string name, CancellationToken cancellation)
    {
        var (role, owner) = (Identifier(name), Identifier(OwnerOf(name)));
        await using var connection = await OpenAsync(name, cancellation);
        if (!await OwnerExistsAsync(connection, name, cancellation)) return;
        await Run(connection, $"REASSIGN OWNED BY {owner} TO {role}", cancellation);
        await Run(connection, $"DROP OWNED BY {owner}", cancellation); // what was granted to it
        await Run(connection, $"DROP ROLE {owner}", cancellation);
    }

    /// <summary>Drops the owner role of a read-only database once its database is gone (deprovision).</summary>
    public async Task DropOwnerAsync(string name, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync("postgres", cancellation);
        await Run(connection, $"DROP ROLE IF EXISTS {Identifier(OwnerOf(name))}", cancellation);
    }

    private static async Task<bool> OwnerExistsAsync(NpgsqlConnection connection, string name, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = OwnerOf(name) });
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellation)) > 0;
    }

    /// <summary>The database's own schemas (not the system's).</summary>
    private static async Task<List<string>> SchemasAsync(NpgsqlConnection connection, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var schemas = new List<string>();
        while (await reader.ReadAsync(cancellation)) schemas.Add(reader.GetString(0));
        return schemas;
    }

    private async Task<NpgsqlConnection> OpenAsync(string database, CancellationToken cancellation)
    {
        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database, Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellation);
        return connection;
    }

    private static async Task Run(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
