namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// Where the cluster keeps what, under DATA_DIR/addons/postgres (root:postgres 0750: the server's user can pass through,
/// app uids cannot enter):
/// <list type="bullet">
/// <item><c>data/</c> the data directory (postgres 0700, as initdb wants);</item>
/// <item><c>conf/</c> postgresql.conf, pg_hba.conf, pg_ident.conf, the TLS certificate and key (root:postgres 0750;
/// the key postgres 0600): rewritten by nuvemd on every start, never writable by the server;</item>
/// <item><c>run/</c> the unix socket (postgres 0700: only root and postgres enter, so only they reach the superuser);</item>
/// <item><c>postgres.log</c> the server's log (made by root, given to postgres: in root's directory, so that the server
/// cannot swap it for a link to something nuvemd would then read);</item>
/// <item><c>backups/</c> final dumps of removed add-ons (root 0700).</item>
/// </list>
/// </summary>
public sealed record PostgresClusterLayout(string Root)
{
    public string Data => Path.Combine(Root, "data");
    public string Conf => Path.Combine(Root, "conf");
    public string SocketDirectory => Path.Combine(Root, "run");
    public string Backups => Path.Combine(Root, "backups");
    public string LogFile => Path.Combine(Root, "postgres.log");
    public string ConfFile => Path.Combine(Conf, "postgresql.conf");
    public string HbaFile => Path.Combine(Conf, "pg_hba.conf");
    public string IdentFile => Path.Combine(Conf, "pg_ident.conf");
    public string CertificateFile => Path.Combine(Conf, "server.crt");
    public string KeyFile => Path.Combine(Conf, "server.key");
    public string CaFile => Path.Combine(Conf, "ca.crt");
    public string PidFile => Path.Combine(Data, "postmaster.pid");

    /// <summary>Whether initdb has made the cluster (it writes PG_VERSION last).</summary>
    public bool Initialized => File.Exists(Path.Combine(Data, "PG_VERSION"));
}
