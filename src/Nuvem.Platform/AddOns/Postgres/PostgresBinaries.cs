namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// Debian's PostgreSQL server programs, under <c>/usr/lib/postgresql/&lt;major&gt;/bin</c> (they are not on PATH: Debian
/// puts wrappers there that pick a cluster from /etc/postgresql, which the platform's own cluster is not part of).
/// </summary>
public sealed record PostgresBinaries(string Directory, int Major)
{
    public const string DebianRoot = "/usr/lib/postgresql";

    /// <summary>What the platform runs: the cluster's own tools and the clients for dumps and the admin shell.</summary>
    public static readonly IReadOnlyList<string> Required = ["initdb", "pg_ctl", "postgres", "pg_dump", "pg_restore", "psql"];

    public string InitDb => Path.Combine(Directory, "initdb");
    public string PgCtl => Path.Combine(Directory, "pg_ctl");
    public string Postgres => Path.Combine(Directory, "postgres");
    public string PgDump => Path.Combine(Directory, "pg_dump");
    public string PgRestore => Path.Combine(Directory, "pg_restore");
    public string Psql => Path.Combine(Directory, "psql");

    /// <returns>The newest major version under <paramref name="root"/> that has every <see cref="Required"/> program, or null.</returns>
    public static PostgresBinaries? Find(string root = DebianRoot)
    {
        if (!System.IO.Directory.Exists(root)) return null;
        return System.IO.Directory.EnumerateDirectories(root)
            .Select(d => (Directory: Path.Combine(d, "bin"), Major: int.TryParse(Path.GetFileName(d), out var major) ? major : -1))
            .Where(v => v.Major > 0 && Required.All(p => File.Exists(Path.Combine(v.Directory, p))))
            .OrderByDescending(v => v.Major)
            .Select(v => new PostgresBinaries(v.Directory, v.Major))
            .FirstOrDefault();
    }

    /// <summary>Why there is no server to run, for the operator.</summary>
    public static string Missing(string root = DebianRoot) =>
        $"PostgreSQL is not installed (no {root}/<version>/bin with {string.Join(", ", Required)}): apt-get install postgresql postgresql-client";
}
