using System.Globalization;

namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// What is left of a removed add-on: a <c>pg_dump -Fc</c> of its database, taken just before the database is dropped,
/// kept in backups/ (root only) as <c>NAME.final.yyyyMMddTHHmmssZ.dump</c> for the configured time, then swept.
/// </summary>
public sealed class PostgresFinalBackups(PostgresCluster cluster, TimeProvider clock)
{
    private const string Marker = ".final.";
    private const string Stamp = "yyyyMMdd'T'HHmmss'Z'";

    /// <returns>The dump's path.</returns>
    public async Task<string> TakeAsync(string database, CancellationToken cancellation)
    {
        var layout = cluster.Layout;
        var path = Path.Combine(layout.Backups, database + Marker + clock.GetUtcNow().UtcDateTime.ToString(Stamp, CultureInfo.InvariantCulture) + ".dump");
        var partial = path + ".partial";
        // As the platform (the superuser by peer over the private socket): the file is root's, in root's directory.
        var result = await cluster.Processes.RunAsync(cluster.Binaries.PgDump,
            ["-h", layout.SocketDirectory, "-p", cluster.Settings.Port.ToString(CultureInfo.InvariantCulture), "-U", PostgresConfigFiles.Superuser,
             "-Fc", "--no-password", "-f", partial, database], layout.Backups, cancellation);
        if (!result.Succeeded)
        {
            File.Delete(partial);
            throw new InvalidOperationException($"The final backup of {database} failed: {result.Message}");
        }
        File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(partial, path);
        return path;
    }

    /// <summary>The final dumps of <paramref name="database"/>, oldest first.</summary>
    public IReadOnlyList<string> Of(string database) =>
        Directory.Exists(cluster.Layout.Backups)
            ? Directory.EnumerateFiles(cluster.Layout.Backups, database + Marker + "*.dump").Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Removes final dumps older than the retention (by the time in their name).</summary>
    /// <returns>The removed paths.</returns>
    public IReadOnlyList<string> Sweep()
    {
        if (!Directory.Exists(cluster.Layout.Backups)) return [];
        var cutoff = clock.GetUtcNow() - cluster.Settings.FinalBackupRetention;
        var removed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(cluster.Layout.Backups, "*" + Marker + "*.dump"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var stamp = name[(name.LastIndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..];
            if (!DateTime.TryParseExact(stamp, Stamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var taken)) continue;
            if (taken >= cutoff.UtcDateTime) continue;
            File.Delete(file);
            removed.Add(file);
        }
        return removed;
    }
}
