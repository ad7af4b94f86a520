using Microsoft.Data.Sqlite;

namespace Nuvem.Tests.Infrastructure;

/// <summary>A running server's SQLite database, changed behind its back: a tampered or damaged row, as a disk or an operator could leave.</summary>
public static class ServerDatabase
{
    public static int Execute(NuvemServer server, string sql, object? parameters = null)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "nuvem.db")};Pooling=False;Default Timeout=30");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var property in parameters?.GetType().GetProperties() ?? [])
            command.Parameters.AddWithValue("@" + property.Name, property.GetValue(parameters) ?? DBNull.Value);
        return command.ExecuteNonQuery();
    }
}
