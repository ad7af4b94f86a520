using Npgsql;
using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Postgres;
using Nuvem.Server.Tls;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.AddOns.Postgres;

/// <summary>
/// A real cluster of Debian's PostgreSQL in a temporary data directory, made and started by the test process (as root,
/// like nuvemd), with a certificate from a local CA of its own. Disposing stops the server and removes the directory.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public TestCluster() : this(Repo.FreePort(), [], "127.0.0.1", null, null)
    {
    }

    /// <param name="listen">Addresses besides 127.0.0.1.</param>
    /// <param name="dataDir">A platform data directory (a server's), else a new temporary one.</param>
    public TestCluster(int port, IReadOnlyList<string> listen, string dynoHost, string? dynoNetwork, Func<Task>? prepareNetwork, string? dataDir = null)
    {
        _prepareNetwork = prepareNetwork;
        _ownsDataDir = dataDir is null;
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "nuvem-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(DataDir);
        File.SetUnixFileMode(DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                      | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var ca = new LocalCertificateAuthority(Path.Combine(DataDir, _ownsDataDir ? "tls" : "test-tls"));
        var (certificate, key) = ca.EnsureCertificatePem("postgres", new[] { "localhost", "127.0.0.1", dynoHost }.Distinct().ToList());
        CaFile = ca.CaCertificateFile;
        Settings = new PostgresClusterSettings(Path.Combine(DataDir, "addons", "postgres"), port, ["127.0.0.1", .. listen], dynoHost, dynoNetwork,
            certificate, key, File.ReadAllText(CaFile), TimeSpan.FromDays(7));
        Binaries = PostgresBinaries.Find() ?? throw new InvalidOperationException(PostgresBinaries.Missing());
        Cluster = NewInstance();
        Provider = new PostgresProvider(Cluster, new PostgresFinalBackups(Cluster, TimeProvider.System));
    }

    public string DataDir { get; }
    public string CaFile { get; }
    public PostgresClusterSettings Settings { get; }
    public PostgresBinaries Binaries { get; }
    public PostgresCluster Cluster { get; }
    public PostgresProvider Provider { get; }
    public List<string> Log { get; } = [];

    /// <summary>Another platform process's view of the same cluster (as a restarted nuvemd has).</summary>
    public PostgresCluster NewInstance() => new(Binaries, Settings, line => { lock (Log) Log.Add(line); }, _prepareNetwork);

    private readonly Func<Task>? _prepareNetwork;
    private readonly bool _ownsDataDir;

    public Task<ProvisionResult> ProvisionAsync(string plan = "essential-0") =>
        Provider.ProvisionAsync(new ProvisionRequest(Guid.NewGuid().ToString(), "postgresql-test-" + Random.Shared.Next(10000, 99999),
            Guid.NewGuid().ToString(), "app", plan, new Dictionary<string, string>()), CancellationToken.None);

    /// <summary>A connection string for Npgsql from a <c>postgres://</c> URL.</summary>
    public static NpgsqlConnectionStringBuilder FromUrl(string url, SslMode ssl, string? database = null)
    {
        var uri = new Uri(url);
        var credentials = uri.UserInfo.Split(':', 2);
        return new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port,
            Username = Uri.UnescapeDataString(credentials[0]),
            Password = Uri.UnescapeDataString(credentials[1]),
            Database = database ?? uri.AbsolutePath.TrimStart('/'),
            SslMode = ssl,
            Pooling = false,
            Timeout = 5,
        };
    }

    public async Task<NpgsqlConnection> OpenAsync(string url, SslMode ssl = SslMode.Disable, string? database = null, string? host = null)
    {
        var builder = FromUrl(url, ssl, database);
        if (host is not null) builder.Host = host;
        if (ssl == SslMode.VerifyFull) builder.RootCertificate = CaFile;
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        try { await Cluster.StopAsync(); }
        finally
        {
            await Cluster.DisposeAsync();
            if (_ownsDataDir)
                try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
