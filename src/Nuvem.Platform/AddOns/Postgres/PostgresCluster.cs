using Npgsql;

namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// The platform's own PostgreSQL cluster (see <see cref="PostgresClusterLayout"/>). Made by initdb on first use, started
/// detached by <c>pg_ctl</c> (which puts the server in a session of its own), so that it outlives nuvemd — stopped,
/// restarted or killed — like dynos do: apps keep their database while the platform restarts, and the next nuvemd
/// adopts the running server (its postmaster.pid names a live postgres that answers) instead of starting a second.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly PostgresBinaries _binaries;
    private readonly PostgresClusterSettings _settings;
    private readonly Action<string> _log;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly NpgsqlDataSource _admin;
    // Health checks take a new session each time: a pooled one can outlive a killed postmaster (its backend keeps
    // answering until it notices), which would hide that the server no longer accepts anyone.
    private readonly NpgsqlDataSource _probe;

    private readonly Func<Task>? _prepareNetwork;
    private volatile bool _configured;

    /// <param name="prepareNetwork">Makes the addresses the server listens at exist before it starts (the dyno bridge's
    /// gateway, which otherwise appears only with the first dyno).</param>
    public PostgresCluster(PostgresBinaries binaries, PostgresClusterSettings settings, Action<string>? log = null, Func<Task>? prepareNetwork = null)
    {
        _prepareNetwork = prepareNetwork;
        _binaries = binaries;
        _settings = settings;
        _log = log ?? (line => Console.Error.WriteLine(line));
        Layout = new PostgresClusterLayout(settings.Directory);
        Processes = new PostgresProcesses(settings.OsUser);
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = Layout.SocketDirectory,
            Port = settings.Port,
            Username = PostgresConfigFiles.Superuser,
            Database = "postgres",
            Timeout = 5,
            CommandTimeout = 300,
            MaxPoolSize = 10,
        };
        _admin = new NpgsqlDataSourceBuilder(admin.ConnectionString).Build();
        admin.Pooling = false;
        admin.CommandTimeout = 5;
        _probe = new NpgsqlDataSourceBuilder(admin.ConnectionString).Build();
        Admin = new PostgresAdminStore(_admin);
        admin.Pooling = true;
        admin.CommandTimeout = 300;
        Quota = new PostgresQuotaStore(admin.ConnectionString);
    }

    public PostgresClusterLayout Layout { get; }
    public PostgresClusterSettings Settings => _settings;
    public PostgresBinaries Binaries => _binaries;
    public PostgresProcesses Processes { get; }
    public PostgresAdminStore Admin { get; }
    public PostgresQuotaStore Quota { get; }

    /// <summary>Makes the cluster if there is none, and starts it unless it is running already (then it is adopted).</summary>
    public async Task EnsureRunningAsync(CancellationToken cancellation)
    {
        // Once this process has set the server up, a provision only needs it to answer.
        if (_configured && await AnswersAsync(cancellation)) return;
        await _lock.WaitAsync(cancellation);
        try
        {
            PrepareDirectories();
            if (!Layout.Initialized) await InitDbAsync(cancellation);
            WriteConfiguration();
            if (await AnswersAsync(cancellation))
            {
                await Admin.ReloadAsync(cancellation); // configuration and certificate as this nuvemd has them
            }
            else if (PostmasterPid() is { } pid)
            {
                _log($"postgres: adopting the running server (pid {pid}), waiting for it to answer");
                await WaitUntilAnsweringAsync(cancellation);
            }
            else
            {
                await StartAsync(cancellation);
            }
            await Admin.EnsureCatalogAsync(cancellation);
            _configured = true;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>One supervision round: restarts a server that is gone, saying why. A server that is alive but not
    /// answering (recovering after a crash, say) is left to finish.</summary>
    /// <returns>Whether the server answers after the round.</returns>
    public async Task<bool> SuperviseAsync(CancellationToken cancellation)
    {
        if (!Layout.Initialized) return false;
        if (await AnswersAsync(cancellation)) return true;
        if (PostmasterPid() is { } pid)
        {
            _log($"postgres: the server (pid {pid}) is alive but does not answer yet");
            return false;
        }
        _log(File.Exists(Layout.PidFile)
            ? "postgres: the server is gone (its postmaster.pid names no running postgres); starting it"
            : "postgres: the server is not running (no postmaster.pid); starting it");
        try
        {
            await EnsureRunningAsync(cancellation);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log($"postgres: could not start the server: {e.Message}");
            return false;
        }
    }

    /// <summary>Stops the server (fast: sessions end, transactions roll back). Not done when nuvemd stops.</summary>
    public async Task StopAsync(CancellationToken cancellation = default)
    {
        if (!Layout.Initialized || PostmasterPid() is null) return;
        var result = await Processes.AsServerAsync(_binaries.PgCtl, ["stop", "-D", Layout.Conf, "-m", "fast", "-w", "-t", "60", "-s"],
            Layout.Root, cancellation);
        if (!result.Succeeded && PostmasterPid() is not null) throw new InvalidOperationException($"pg_ctl stop failed: {result.Message}");
        _admin.Clear();
    }

    /// <summary>Whether the superuser can run a query now.</summary>
    public async Task<bool> AnswersAsync(CancellationToken cancellation)
    {
        if (!File.Exists(Path.Combine(Layout.SocketDirectory, $".s.PGSQL.{_settings.Port}"))) return false;
        try
        {
            await new PostgresAdminStore(_probe).PingAsync(cancellation);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            _admin.Clear(); // pooled connections to a server that went away are dead
            return false;
        }
    }

    /// <summary>The postmaster's pid when postmaster.pid names a live postgres process; else null.</summary>
    public int? PostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Layout.PidFile).FirstOrDefault();
            if (!int.TryParse(first, out var pid) || pid <= 0) return null;
            var comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
            // "pid (comm) S …": a killed postmaster not yet reaped is a zombie, not a server.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            return comm is "postgres" or "postmaster" && state is not ('Z' or 'X') ? pid : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private void PrepareDirectories()
    {
        const UnixFileMode rwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode groupRx = UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        // DATA_DIR/addons: passable by everyone (0711, like the data directory), listable by root only.
        var addOns = Path.GetDirectoryName(Layout.Root)!;
        Directory.CreateDirectory(addOns);
        File.SetUnixFileMode(addOns, rwx | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Directory.CreateDirectory(Layout.Root);
        Processes.GiveToServer(Layout.Root, group: true);
        File.SetUnixFileMode(Layout.Root, Processes.Privileged ? rwx | groupRx : rwx);
        Directory.CreateDirectory(Layout.Conf);
        Processes.GiveToServer(Layout.Conf, group: true);
        File.SetUnixFileMode(Layout.Conf, Processes.Privileged ? rwx | groupRx : rwx);
        foreach (var own in new[] { Layout.Data, Layout.SocketDirectory })
        {
            Directory.CreateDirectory(own);
            Processes.GiveToServer(own);
            File.SetUnixFileMode(own, rwx);
        }
        Directory.CreateDirectory(Layout.Backups);
        File.SetUnixFileMode(Layout.Backups, rwx);
        if (!File.Exists(Layout.LogFile))
        {
            File.WriteAllText(Layout.LogFile, "");
            Processes.GiveToServer(Layout.LogFile);
        }
        File.SetUnixFileMode(Layout.LogFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private async Task InitDbAsync(CancellationToken cancellation)
    {
        _log($"postgres: creating the cluster in {Layout.Data} (PostgreSQL {_binaries.Major})");
        var result = await Processes.AsServerAsync(_binaries.InitDb,
            ["-D", Layout.Data, "-U", PostgresConfigFiles.Superuser, "--auth-local=peer", "--auth-host=scram-sha-256",
             "--encoding=UTF8", "--locale=C.UTF-8"], Layout.Root, cancellation);
        if (!result.Succeeded) throw new InvalidOperationException($"initdb failed ({result.ExitCode}): {result.Message}");
    }

    /// <summary>The configuration, certificate and key, as this nuvemd has them (root-owned; the key the server's, 0600).</summary>
    private void WriteConfiguration()
    {
        const UnixFileMode shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        Write(Layout.ConfFile, PostgresConfigFiles.PostgresqlConf(Layout, _settings), shared);
        Write(Layout.HbaFile, PostgresConfigFiles.PgHba(_settings), shared);
        Write(Layout.IdentFile, PostgresConfigFiles.PgIdent(Processes.PlatformUser, Processes.ServerUser), shared);
        Write(Layout.CertificateFile, _settings.CertificatePem, shared | UnixFileMode.OtherRead);
        Write(Layout.CaFile, _settings.CaPem, shared | UnixFileMode.OtherRead);
        Write(Layout.KeyFile, _settings.KeyPem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Processes.GiveToServer(Layout.KeyFile);
    }

    private void Write(string path, string text, UnixFileMode mode)
    {
        // conf/ is root's: nothing else can put a link here, so writing by path is safe.
        using (var stream = new FileStream(path, new FileStreamOptions
               {
                   Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
               }))
        using (var writer = new StreamWriter(stream)) writer.Write(text);
        if (path != Layout.KeyFile) Processes.GiveToServer(path, group: true);
        File.SetUnixFileMode(path, mode);
    }

    private async Task StartAsync(CancellationToken cancellation)
    {
        if (_prepareNetwork is not null) await _prepareNetwork();
        _log($"postgres: starting the server on port {_settings.Port} ({string.Join(", ", _settings.ListenAddresses)})");
        var result = await Processes.AsServerAsync(_binaries.PgCtl,
            ["start", "-D", Layout.Conf, "-l", Layout.LogFile, "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(), "-s"],
            Layout.Root, cancellation);
        if (!result.Succeeded)
            throw new InvalidOperationException($"pg_ctl start failed ({result.ExitCode}): {result.Message}\n{LogTail()}");
        await WaitUntilAnsweringAsync(cancellation);
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await AnswersAsync(cancellation))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"postgres did not answer within {StartTimeout.TotalSeconds} s.\n{LogTail()}");
            await Task.Delay(200, cancellation);
        }
    }

    /// <summary>The end of the server's log, for an error message.</summary>
    public string LogTail(int lines = 15)
    {
        try { return string.Join('\n', File.ReadLines(Layout.LogFile).TakeLast(lines)); }
        catch (IOException) { return ""; }
    }

    public async ValueTask DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _probe.DisposeAsync();
    }
}
