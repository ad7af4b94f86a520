using System.Reflection;
using Dapper;

namespace Nuvem.Platform.State;

/// <summary>
/// Versioned schema migrations: embedded <c>State/Migrations/NNNN_name.sql</c> files applied in order, each in
/// its own transaction together with the bump of <c>PRAGMA user_version</c>, so a crash mid-migration leaves
/// the database at the previous version and the next start simply retries.
/// </summary>
public static class Migrator
{
    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> All { get; } = Load();

    public static int LatestVersion => All.Count == 0 ? 0 : All[^1].Version;

    /// <returns>The versions applied by this call.</returns>
    public static IReadOnlyList<int> Migrate(Database database)
    {
        using var connection = database.Open();
        // WAL is a property of the file; setting it once here makes it stick for every later connection.
        connection.Execute("PRAGMA journal_mode = WAL;");
        var current = connection.ExecuteScalar<int>("PRAGMA user_version;");
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database {database.Path} has schema version {current}, newer than this Nuvem ({LatestVersion}). Upgrade Nuvem.");
        }

        var applied = new List<int>();
        foreach (var migration in All.Where(m => m.Version > current))
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            connection.Execute(migration.Sql, transaction: transaction);
            connection.Execute($"PRAGMA user_version = {migration.Version};", transaction: transaction);
            transaction.Commit();
            applied.Add(migration.Version);
        }
        return applied;
    }

    private static IReadOnlyList<Migration> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "Nuvem.Platform.State.Migrations.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var fileName = resource[prefix.Length..];
            var digits = new string(fileName.TakeWhile(char.IsDigit).ToArray());
            if (digits.Length == 0) throw new InvalidOperationException($"Migration {fileName} must start with its version number.");
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(digits), fileName, reader.ReadToEnd()));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
                throw new InvalidOperationException($"Migrations must be numbered 1, 2, 3…; found {migrations[i].Name} at position {i + 1}.");
        }
        return migrations;
    }
}
