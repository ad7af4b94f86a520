using System.Text;

namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// The cluster's configuration, written by the platform on every start into a directory only root writes
/// (<c>conf/</c>; the data directory's own postgresql.conf is unused): the server is started with <c>pg_ctl -D conf</c>.
/// </summary>
public static class PostgresConfigFiles
{
    /// <summary>The ident map that lets the platform's OS user in as the superuser over the private unix socket.</summary>
    public const string AdminMap = "nuvem";
    public const string Superuser = "postgres";

    public static string PostgresqlConf(PostgresClusterLayout layout, PostgresClusterSettings settings) => new StringBuilder()
        .AppendLine("# Written by nuvemd on every start of the cluster; changes here are overwritten.")
        .AppendLine($"data_directory = {Literal(layout.Data)}")
        .AppendLine($"hba_file = {Literal(layout.HbaFile)}")
        .AppendLine($"ident_file = {Literal(layout.IdentFile)}")
        .AppendLine($"listen_addresses = {Literal(string.Join(",", settings.ListenAddresses))}")
        .AppendLine($"port = {settings.Port}")
        .AppendLine($"max_connections = {settings.MaxConnections}")
        .AppendLine("superuser_reserved_connections = 5")
        .AppendLine($"unix_socket_directories = {Literal(layout.SocketDirectory)}")
        .AppendLine("unix_socket_permissions = 0700")
        .AppendLine("password_encryption = 'scram-sha-256'")
        .AppendLine("ssl = on")
        .AppendLine($"ssl_cert_file = {Literal(layout.CertificateFile)}")
        .AppendLine($"ssl_key_file = {Literal(layout.KeyFile)}")
        .AppendLine("ssl_min_protocol_version = 'TLSv1.2'")
        .AppendLine("logging_collector = off")
        .AppendLine("log_line_prefix = '%m [%p] %q%u@%d '")
        .AppendLine("log_timezone = 'UTC'")
        .AppendLine("timezone = 'UTC'")
        .AppendLine("lc_messages = 'C'")
        .ToString();

    /// <summary>
    /// Who may connect: the platform's OS user as the superuser over the unix socket (peer, mapped); over TCP, a role
    /// only to the database of its own name (<c>sameuser</c>: every add-on's role and database share one name), with
    /// its password (SCRAM), from loopback or the dyno network; nothing else. Plain TCP is allowed besides TLS: the
    /// traffic never leaves the host (dyno bridge or loopback), and Node's <c>pg</c> (like most clients) speaks plain
    /// unless the app asks for ssl; clients that want TLS get it (<c>sslmode=require</c> / <c>verify-full</c>).
    /// </summary>
    public static string PgHba(PostgresClusterSettings settings)
    {
        var text = new StringBuilder()
            .AppendLine("# Written by nuvemd; changes here are overwritten.")
            .AppendLine("# TYPE  DATABASE  USER      ADDRESS          METHOD")
            .AppendLine($"local   all       {Superuser}  peer map={AdminMap}")
            .AppendLine("local   all       all       reject")
            .AppendLine($"host    all       {Superuser}  0.0.0.0/0        reject");
        foreach (var network in Networks(settings))
            text.AppendLine($"host    sameuser  all       {network,-16} scram-sha-256");
        return text
            .AppendLine("host    all       all       0.0.0.0/0        reject")
            .AppendLine("host    all       all       ::/0             reject")
            .ToString();
    }

    private static IEnumerable<string> Networks(PostgresClusterSettings settings)
    {
        yield return "127.0.0.1/32";
        if (settings.DynoNetwork is { } network) yield return network;
    }

    /// <summary>The OS users that may act as the superuser over the socket: root (nuvemd) and the server's own user.</summary>
    public static string PgIdent(string platformUser, string serverUser) => new StringBuilder()
        .AppendLine("# MAPNAME  SYSTEM-USERNAME  PG-USERNAME")
        .AppendLine($"{AdminMap}    {platformUser}    {Superuser}")
        .AppendLine(serverUser == platformUser ? "" : $"{AdminMap}    {serverUser}    {Superuser}")
        .ToString();

    /// <summary>A configuration-file string: single-quoted, quotes doubled, backslashes escaped.</summary>
    public static string Literal(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "''") + "'";
}
