using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Nuvem.Platform.State;

/// <summary>
/// The platform's embedded state: one SQLite file in the data directory.
/// WAL lets readers run beside the single writer; synchronous=FULL makes every committed
/// transaction durable before the call returns, so a kill -9 (or a power cut) loses nothing committed.
/// </summary>
public sealed class Database
{
    private readonly string _connectionString;

    static Database()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new TimestampHandler());
        SqlMapper.AddTypeHandler(new NullableTimestampHandler());
    }

    public Database(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Also SQLite's busy timeout: a writer waits for another instead of failing at once.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // Per-connection settings; journal_mode=WAL is stored in the file by the migrator.
        connection.Execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;");
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in an IMMEDIATE transaction: it takes the write lock up front,
    /// so two writers never deadlock upgrading from a read, and version numbers are allocated race-free.</summary>
    public T Write<T>(Func<SqliteConnection, IDbTransaction, T> work)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
        var result = work(connection, transaction);
        transaction.Commit();
        return result;
    }

    public void Write(Action<SqliteConnection, IDbTransaction> work) =>
        Write<object?>((c, t) => { work(c, t); return null; });

    public T Read<T>(Func<SqliteConnection, T> work)
    {
        using var connection = Open();
        return work(connection);
    }
}

/// <summary>Timestamps are stored as ISO-8601 UTC text; they sort correctly as text.</summary>
public static class Timestamp
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string value) =>
        DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);

    public static string Now() => Format(DateTimeOffset.UtcNow);
}

internal sealed class TimestampHandler : SqlMapper.TypeHandler<DateTimeOffset>
{
    public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = Timestamp.Format(value);
    public override DateTimeOffset Parse(object value) => Timestamp.Parse((string)value);
}

internal sealed class NullableTimestampHandler : SqlMapper.TypeHandler<DateTimeOffset?>
{
    public override void SetValue(IDbDataParameter parameter, DateTimeOffset? value) =>
        parameter.Value = value is null ? DBNull.Value : Timestamp.Format(value.Value);
    public override DateTimeOffset? Parse(object value) => value is string s ? Timestamp.Parse(s) : null;
}
