namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>The platform's cluster as the operator configured it (NUVEM_POSTGRES_*) and the composition root derived it.</summary>
/// <param name="Directory">Everything of the cluster: DATA_DIR/addons/postgres.</param>
/// <param name="ListenAddresses">127.0.0.1, and the address dynos reach the host at when that is another one (the dyno
/// bridge's gateway).</param>
/// <param name="DynoHost">The host in the URLs handed to apps: what dynos reach the cluster at.</param>
/// <param name="DynoNetwork">The network dynos connect from (CIDR), or null when they share the host's loopback.</param>
/// <param name="CertificatePem">The server certificate (signed by the platform CA, with its chain) and its key.</param>
/// <param name="OsUser">The unprivileged user the server runs as (Debian's <c>postgres</c>); ignored when the platform
/// itself is not root (then the cluster runs as the platform's own user).</param>
public sealed record PostgresClusterSettings(
    string Directory,
    int Port,
    IReadOnlyList<string> ListenAddresses,
    string DynoHost,
    string? DynoNetwork,
    string CertificatePem,
    string KeyPem,
    string CaPem,
    TimeSpan FinalBackupRetention,
    string OsUser = "postgres",
    int MaxConnections = 300);
