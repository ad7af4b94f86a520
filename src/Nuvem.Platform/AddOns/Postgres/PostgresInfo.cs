using System.Globalization;

namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>What the cluster says about one add-on's database now (<see cref="PostgresInfoStore.StatsAsync"/>).</summary>
/// <param name="Bytes"><c>pg_database_size</c>.</param>
/// <param name="Tables">Tables of the database's own schemas (not the system's).</param>
/// <param name="Connections">Sessions open to the database now.</param>
/// <param name="ConnectionLimit">The role's <c>CONNECTION LIMIT</c> (the plan's), -1 for none.</param>
/// <param name="ServerVersion"><c>server_version</c> as the server reports it (<c>15.10 (Debian 15.10-0+deb12u1)</c>).</param>
/// <param name="CreatedAt">When the platform made the database (its catalog's <c>created_at</c>).</param>
/// <param name="ReadOnly">Over its plan's size: writes are refused (<see cref="PostgresSizeWatch"/>).</param>
public sealed record PostgresStats(long Bytes, long Tables, long Connections, int ConnectionLimit, string ServerVersion,
    DateTimeOffset CreatedAt, bool ReadOnly);

/// <summary>One line of <c>heroku pg:info</c>: the data API sends the text, the CLI prints <c>Name: v1, v2</c>.</summary>
/// <param name="ResolveDbName">The values are database URLs the CLI shows by the app's config var name instead.</param>
public sealed record PostgresInfoItem(string Name, IReadOnlyList<string> Values, bool ResolveDbName = false);

/// <summary>A database URL taken apart: what <c>pg:credentials:url</c> shows.</summary>
public sealed record PostgresUrlParts(string User, string Password, string Host, int Port, string Database);

/// <summary>
/// Heroku's data API view of a database (<c>GET /client/v11/databases/{id}</c>), made from its plan and
/// <see cref="PostgresStats"/>: the <c>info</c> lines <c>pg:info</c> prints, in Heroku's order and wording for Essential
/// databases (there are no forks, followers, rollback or continuous protection here: "Unsupported" / "Off", as Heroku
/// says for the Essential tier).
/// </summary>
public static class PostgresInfo
{
    public static IReadOnlyList<PostgresInfoItem> Items(string plan, PostgresStats stats)
    {
        var limits = PostgresPlans.For(plan);
        var human = PostgresPlans.Spec.Plans.FirstOrDefault(p => p.Name == plan)?.HumanName ?? plan;
        var share = limits.MaxBytes > 0 ? 100.0 * stats.Bytes / limits.MaxBytes : 0;
        var compliance = stats.ReadOnly ? "(Over the limit: writes are refused)" : "(In compliance)";
        var limit = stats.ConnectionLimit >= 0 ? stats.ConnectionLimit : limits.Connections;
        return
        [
            new("Plan", [human]),
            new("Status", ["Available"]),
            new("Connections", [$"{stats.Connections}/{limit}"]),
            new("PG Version", [Version(stats.ServerVersion)]),
            new("Created", [stats.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)]),
            new("Data Size", [$"{Size(stats.Bytes)} / {Size(limits.MaxBytes)} ({share.ToString("0.00", CultureInfo.InvariantCulture)}%) {compliance}"]),
            new("Tables", [stats.Tables.ToString(CultureInfo.InvariantCulture)]),
            new("Fork/Follow", ["Unsupported"]),
            new("Rollback", ["Unsupported"]),
            new("Continuous Protection", ["Off"]),
        ];
    }

    /// <summary>The version number alone: <c>15.10 (Debian 15.10-0+deb12u1)</c> → <c>15.10</c>.</summary>
    public static string Version(string serverVersion)
    {
        var text = serverVersion.Trim();
        var end = text.IndexOfAny([' ', '(']);
        return end > 0 ? text[..end] : text;
    }

    /// <summary>Bytes as Heroku prints them: <c>7.6 MB</c>, <c>1 GB</c>, <c>512 bytes</c> (powers of 1024, one decimal, no <c>.0</c>).</summary>
    public static string Size(long bytes)
    {
        string[] units = ["bytes", "kB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        if (unit == 0) return $"{bytes} bytes";
        var rounded = Math.Round(value, 1);
        return $"{rounded.ToString(rounded % 1 == 0 ? "0" : "0.0", CultureInfo.InvariantCulture)} {units[unit]}";
    }

    /// <summary>The database's URL without its credentials (<c>postgres://HOST:PORT/DATABASE</c>): the CLI matches it
    /// against the app's config vars by scheme, host, port and path to name the database.</summary>
    public static string ResourceUrl(string url)
    {
        var parts = Parse(url);
        return $"postgres://{parts.Host}:{parts.Port}/{Uri.EscapeDataString(parts.Database)}";
    }

    /// <summary>Takes apart a <c>postgres://USER:PASSWORD@HOST:PORT/DATABASE</c> URL (<see cref="PostgresUrl.Build"/>).</summary>
    /// <exception cref="FormatException">Not such a URL.</exception>
    public static PostgresUrlParts Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
            throw new FormatException("Not a postgres:// URL.");
        var userInfo = uri.UserInfo;
        var colon = userInfo.IndexOf(':');
        var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        var password = colon < 0 ? "" : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (user.Length == 0 || database.Length == 0) throw new FormatException("The URL names no user or no database.");
        return new PostgresUrlParts(user, password, uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port, database);
    }
}
