using Npgsql;

namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>One add-on's database as the cluster's own catalog records it (ProviderId = <see cref="Name"/>).</summary>
public sealed record PostgresDatabaseRecord(string AddOnId, string Name, string Plan, bool ReadOnly);

/// <summary>
/// The admin SQL, run as the superuser over the private unix socket. DDL cannot take parameters, so names and
/// literals go through <see cref="Identifier"/> and <see cref="Literal"/>. The cluster's catalog of add-ons
/// (<c>nuvem_databases</c> in the <c>postgres</c> database) lives beside the databases it describes, so that the two
/// cannot disagree after a restore of the platform's SQLite state.
/// </summary>
public sealed class PostgresAdminStore(NpgsqlDataSource admin)
{
    /// <summary>A quoted identifier: double quotes, inner ones doubled.</summary>
    public static string Identifier(string name) =>
        name.Contains('\0') ? throw new ArgumentException("NUL in an identifier") : "\"" + name.Replace("\"", "\"\"") + "\"";

    /// <summary>A string literal (standard_conforming_strings is on since 9.1: only quotes need doubling).</summary>
    public static string Literal(string value) =>
        value.Contains('\0') ? throw new ArgumentException("NUL in a literal") : "'" + value.Replace("'", "''") + "'";

    public async Task PingAsync(CancellationToken cancellation)
    {
        await using var command = admin.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellation);
    }

    public async Task ReloadAsync(CancellationToken cancellation) => await Run("SELECT pg_reload_conf()", cancellation);

    public async Task EnsureCatalogAsync(CancellationToken cancellation)
    {
        await Run("""
            CREATE TABLE IF NOT EXISTS nuvem_databases (
              addon_id text PRIMARY KEY,
              name text NOT NULL UNIQUE,
              plan text NOT NULL,
              read_only boolean NOT NULL DEFAULT false,
              created_at timestamptz NOT NULL DEFAULT now())
            """, cancellation);
        await Run("REVOKE ALL ON nuvem_databases FROM PUBLIC", cancellation);
    }

    public Task<PostgresDatabaseRecord?> FindByAddOnAsync(string addOnId, CancellationToken cancellation) =>
        FindAsync("SELECT addon_id, name, plan, read_only FROM nuvem_databases WHERE addon_id = $1", addOnId, cancellation);

    public Task<PostgresDatabaseRecord?> FindByNameAsync(string name, CancellationToken cancellation) =>
        FindAsync("SELECT addon_id, name, plan, read_only FROM nuvem_databases WHERE name = $1", name, cancellation);

    public async Task<IReadOnlyList<PostgresDatabaseRecord>> ListAsync(CancellationToken cancellation)
    {
        await using var command = admin.CreateCommand("SELECT addon_id, name, plan, read_only FROM nuvem_databases ORDER BY created_at");
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var list = new List<PostgresDatabaseRecord>();
        while (await reader.ReadAsync(cancellation)) list.Add(new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
        return list;
    }

    public Task InsertAsync(string addOnId, string name, string plan, CancellationToken cancellation) =>
        Run("INSERT INTO nuvem_databases (addon_id, name, plan) VALUES ($1, $2, $3)", cancellation, addOnId, name, plan);

    public Task SetPlanAsync(string name, string plan, CancellationToken cancellation) =>
        Run("UPDATE nuvem_databases SET plan = $2 WHERE name = $1", cancellation, name, plan);

    public Task SetReadOnlyAsync(string name, bool readOnly, CancellationToken cancellation) =>
        Run("UPDATE nuvem_databases SET read_only = $2 WHERE name = $1", cancellation, name, readOnly);

    public Task DeleteAsync(string name, CancellationToken cancellation) =>
        Run("DELETE FROM nuvem_databases WHERE name = $1", cancellation, name);

    public async Task<bool> RoleExistsAsync(string name, CancellationToken cancellation) =>
        await Scalar("SELECT count(*) FROM pg_roles WHERE rolname = $1", name, cancellation) > 0;

    public async Task<bool> DatabaseExistsAsync(string name, CancellationToken cancellation) =>
        await Scalar("SELECT count(*) FROM pg_database WHERE datname = $1", name, cancellation) > 0;

    /// <summary>Makes the role, or gives an existing one the new password and limit (a retried provision).</summary>
    /// <param name="verifier">The SCRAM verifier of the password (<see cref="PostgresPassword.Verifier"/>).</param>
    public async Task EnsureRoleAsync(string name, string verifier, int connectionLimit, CancellationToken cancellation)
    {
        var verb = await RoleExistsAsync(name, cancellation) ? "ALTER" : "CREATE";
        await Run($"{verb} ROLE {Identifier(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS " +
                  $"CONNECTION LIMIT {connectionLimit} PASSWORD {Literal(verifier)}", cancellation);
    }

    /// <summary>The database, owned by its role; PUBLIC may neither connect to it nor make temporary tables in it.</summary>
    public async Task EnsureDatabaseAsync(string name, CancellationToken cancellation)
    {
        if (!await DatabaseExistsAsync(name, cancellation))
            await Run($"CREATE DATABASE {Identifier(name)} OWNER {Identifier(name)} ENCODING 'UTF8' TEMPLATE template0", cancellation);
        await Run($"REVOKE CONNECT, TEMPORARY ON DATABASE {Identifier(name)} FROM PUBLIC", cancellation);
    }

    public Task SetConnectionLimitAsync(string name, int connectionLimit, CancellationToken cancellation) =>
        Run($"ALTER ROLE {Identifier(name)} CONNECTION LIMIT {connectionLimit}", cancellation);

    /// <summary>Drops the database, ending its sessions first (<c>WITH (FORCE)</c>, PostgreSQL 13+); gone already is fine.</summary>
    public Task DropDatabaseAsync(string name, CancellationToken cancellation) =>
        Run($"DROP DATABASE IF EXISTS {Identifier(name)} WITH (FORCE)", cancellation);

    public Task DropRoleAsync(string name, CancellationToken cancellation) =>
        Run($"DROP ROLE IF EXISTS {Identifier(name)}", cancellation);

    public async Task<long> DatabaseSizeAsync(string name, CancellationToken cancellation)
    {
        await using var command = admin.CreateCommand("SELECT pg_database_size($1::text::name)");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>How many sessions the role has open now.</summary>
    public async Task<long> SessionsAsync(string name, CancellationToken cancellation) =>
        await Scalar("SELECT count(*) FROM pg_stat_activity WHERE usename = $1", name, cancellation);

    private async Task<PostgresDatabaseRecord?> FindAsync(string sql, string value, CancellationToken cancellation)
    {
        await using var command = admin.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        return await reader.ReadAsync(cancellation)
            ? new PostgresDatabaseRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3))
            : null;
    }

    private async Task<long> Scalar(string sql, string value, CancellationToken cancellation)
    {
        await using var command = admin.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellation));
    }

    private async Task Run(string sql, CancellationToken cancellation, params object[] values)
    {
        await using var command = admin.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
