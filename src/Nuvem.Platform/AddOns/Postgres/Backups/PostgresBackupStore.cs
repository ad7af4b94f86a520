using Npgsql;
using static Nuvem.Platform.AddOns.Postgres.PostgresAdminStore;

namespace Nuvem.Platform.AddOns.Postgres.Backups;

/// <summary>
/// The SQL that backups send to the cluster, always as the superuser over the private unix socket: a snapshot shared
/// with pg_dump and the row counts in it, scratch databases for test restores, and the preparation of a restore.
/// </summary>
public sealed class PostgresBackupStore(PostgresCluster cluster)
{
    /// <summary>User tables (plain and partitioned) outside the system schemas and not members of an extension.</summary>
    private const string TablesSql = """
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1, 2
        """;

    public NpgsqlConnection Connect(string database) => new(new NpgsqlConnectionStringBuilder
    {
        Host = cluster.Layout.SocketDirectory,
        Port = cluster.Settings.Port,
        Username = PostgresConfigFiles.Superuser,
        Database = database,
        Pooling = false,
        Timeout = 10,
        CommandTimeout = 0,
    }.ConnectionString);

    /// <summary>
    /// Opens a REPEATABLE READ, READ ONLY transaction on <paramref name="database"/> and exports its snapshot, for
    /// pg_dump's <c>--snapshot</c>: the dump and <see cref="TableCountsAsync"/> in this transaction then see the same rows.
    /// </summary>
    public async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction, string Snapshot)> ExportSnapshotAsync(string database, CancellationToken cancellation)
    {
        var connection = Connect(database);
        await connection.OpenAsync(cancellation);
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellation);
        await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction)) await readOnly.ExecuteNonQueryAsync(cancellation);
        await using var export = new NpgsqlCommand("SELECT pg_export_snapshot()", connection, transaction);
        return (connection, transaction, (string)(await export.ExecuteScalarAsync(cancellation))!);
    }

    /// <summary>Every user table as <c>schema.table</c> with its exact row count (count(*): a full scan of each).</summary>
    public static async Task<SortedDictionary<string, long>> TableCountsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellation)
    {
        var tables = new List<(string Schema, string Name)>();
        await using (var list = new NpgsqlCommand(TablesSql, connection, transaction))
        await using (var reader = await list.ExecuteReaderAsync(cancellation))
            while (await reader.ReadAsync(cancellation)) tables.Add((reader.GetString(0), reader.GetString(1)));
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (schema, name) in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {Identifier(schema)}.{Identifier(name)}", connection, transaction);
            counts[$"{schema}.{name}"] = (long)(await count.ExecuteScalarAsync(cancellation))!;
        }
        return counts;
    }

    public async Task<long> DatabaseSizeAsync(string database, CancellationToken cancellation) =>
        await cluster.Admin.DatabaseSizeAsync(database, cancellation);

    /// <summary>A database for a test restore, owned by <paramref name="owner"/> (the app's role, which restores into it
    /// by SET ROLE); PUBLIC may not connect, and pg_hba lets an app role open only the database of its own name, so no app
    /// can reach it.</summary>
    public async Task CreateScratchAsync(string name, string owner, CancellationToken cancellation)
    {
        await Admin($"CREATE DATABASE {Identifier(name)} OWNER {Identifier(owner)} ENCODING 'UTF8' TEMPLATE template0", cancellation);
        await Admin($"REVOKE CONNECT, TEMPORARY ON DATABASE {Identifier(name)} FROM PUBLIC", cancellation);
    }

    public Task DropScratchAsync(string name, CancellationToken cancellation) =>
        Admin($"DROP DATABASE IF EXISTS {Identifier(name)} WITH (FORCE)", cancellation);

    /// <summary>Scratch databases a killed nuvemd left behind.</summary>
    public async Task<IReadOnlyList<string>> ScratchDatabasesAsync(string prefix, CancellationToken cancellation)
    {
        await using var connection = Connect("postgres");
        await connection.OpenAsync(cancellation);
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = prefix });
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation)) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>Before a restore: the app's role may not log in until <see cref="EndRestoreAsync"/>, its sessions end, and
    /// everything it owns in its database is dropped, so that the restore leaves exactly what the backup holds.</summary>
    public async Task BeginRestoreAsync(string database, CancellationToken cancellation)
    {
        await Admin($"ALTER ROLE {Identifier(database)} NOLOGIN", cancellation);
        await Admin($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {Literal(database)} AND pid <> pg_backend_pid()", cancellation);
        await using var connection = Connect(database);
        await connection.OpenAsync(cancellation);
        await using var drop = new NpgsqlCommand($"DROP OWNED BY {Identifier(database)} CASCADE", connection);
        await drop.ExecuteNonQueryAsync(cancellation);
    }

    public Task EndRestoreAsync(string database, CancellationToken cancellation) =>
        Admin($"ALTER ROLE {Identifier(database)} LOGIN", cancellation);

    /// <summary>Objects in <paramref name="database"/>'s user schemas not owned by its role (after a restore: none).</summary>
    public async Task<long> ForeignOwnedAsync(string database, CancellationToken cancellation)
    {
        await using var connection = Connect(database);
        await connection.OpenAsync(cancellation);
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
              AND pg_get_userbyid(c.relowner) <> $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = database });
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    private async Task Admin(string sql, CancellationToken cancellation)
    {
        await using var connection = Connect("postgres");
        await connection.OpenAsync(cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
