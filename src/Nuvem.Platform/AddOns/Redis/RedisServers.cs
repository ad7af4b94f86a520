using System.Runtime.InteropServices;
using System.Text.Json;
using Nuvem.Platform.AddOns.Postgres;

namespace Nuvem.Platform.AddOns.Redis;

/// <summary>
/// The add-ons' Redis servers, one per add-on in DATA_DIR/addons/redis/&lt;name&gt;/: <c>instance.json</c> (root's,
/// 0600), <c>redis.conf</c> (root:redis, 0640: it holds the password), <c>data/</c> (the server's, 0700: the
/// append-only file, its pid file and log). A server is started detached (<c>daemonize yes</c>: it forks into a
/// session of its own) as the unprivileged OS user, so it outlives nuvemd like dynos do; the next nuvemd adopts it
/// (its pid file names a live redis-server) instead of starting a second.
/// </summary>
public sealed class RedisServers
{
    private const UnixFileMode Rwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Action<string> _log;
    private readonly Func<Task>? _prepareNetwork;

    /// <param name="prepareNetwork">Makes the addresses the servers listen at exist before one starts (the dyno
    /// bridge's gateway).</param>
    public RedisServers(RedisSettings settings, Action<string>? log = null, Func<Task>? prepareNetwork = null)
    {
        Settings = settings;
        _log = log ?? (line => Console.Error.WriteLine(line));
        _prepareNetwork = prepareNetwork;
        Processes = new PostgresProcesses(settings.OsUser);
    }

    public RedisSettings Settings { get; }
    public PostgresProcesses Processes { get; }

    public string Folder(string name) => Path.Combine(Settings.Directory, name);
    private string DataFolder(string name) => Path.Combine(Folder(name), "data");
    private string InstanceFile(string name) => Path.Combine(Folder(name), "instance.json");
    private string ConfFile(string name) => Path.Combine(Folder(name), "redis.conf");

    /// <summary>Every recorded instance (a folder without a readable record is skipped).</summary>
    public IReadOnlyList<RedisInstance> All()
    {
        if (!Directory.Exists(Settings.Directory)) return [];
        var found = new List<RedisInstance>();
        foreach (var folder in Directory.GetDirectories(Settings.Directory))
            if (Find(Path.GetFileName(folder)) is { } instance) found.Add(instance);
        return found;
    }

    public RedisInstance? Find(string name)
    {
        try { return JsonSerializer.Deserialize<RedisInstance>(File.ReadAllText(InstanceFile(name))); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Records the instance (its folders made, its port kept) and writes its configuration.</summary>
    public void Save(RedisInstance instance)
    {
        var addOns = Path.GetDirectoryName(Settings.Directory)!;
        Directory.CreateDirectory(addOns);
        File.SetUnixFileMode(addOns, Rwx | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Directory.CreateDirectory(Settings.Directory);
        File.SetUnixFileMode(Settings.Directory, Rwx | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var folder = Folder(instance.Name);
        Directory.CreateDirectory(folder);
        Processes.GiveToServer(folder, group: true);
        File.SetUnixFileMode(folder, Processes.Privileged ? Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute : Rwx);
        var data = DataFolder(instance.Name);
        Directory.CreateDirectory(data);
        Processes.GiveToServer(data);
        File.SetUnixFileMode(data, Rwx);
        Write(InstanceFile(instance.Name), JsonSerializer.Serialize(instance), group: false);
        Write(ConfFile(instance.Name), RedisConfigFile.Text(instance, Settings.ListenAddresses, data), group: true);
    }

    /// <summary>Removes the instance's folder (its server stopped first).</summary>
    public async Task RemoveAsync(string name, CancellationToken cancellation)
    {
        await StopAsync(name, cancellation);
        if (Directory.Exists(Folder(name))) Directory.Delete(Folder(name), recursive: true);
    }

    /// <summary>Starts the server unless it runs (then it is adopted as it is).</summary>
    public async Task EnsureRunningAsync(RedisInstance instance, CancellationToken cancellation)
    {
        if (Pid(instance.Name) is not null) return;
        Save(instance); // the configuration as this nuvemd has it
        if (_prepareNetwork is not null) await _prepareNetwork();
        _log($"redis: starting {instance.Name} on port {instance.Port} ({string.Join(", ", Settings.ListenAddresses)})");
        var result = await Processes.AsServerAsync(Settings.ServerBinary, [ConfFile(instance.Name)], Folder(instance.Name), cancellation);
        if (!result.Succeeded) throw new InvalidOperationException($"redis-server failed ({result.ExitCode}): {result.Message}\n{LogTail(instance.Name)}");
        var deadline = DateTime.UtcNow + StartTimeout;
        while (Pid(instance.Name) is null || !Listens(instance.Port))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"redis {instance.Name} did not start within {StartTimeout.TotalSeconds} s.\n{LogTail(instance.Name)}");
            await Task.Delay(100, cancellation);
        }
    }

    /// <summary>Stops the server (SIGTERM: it finishes writing its append-only file), killing it after 30 s.</summary>
    public async Task StopAsync(string name, CancellationToken cancellation)
    {
        if (Pid(name) is not { } pid) return;
        kill(pid, 15);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Pid(name) is not null)
        {
            if (DateTime.UtcNow > deadline) { kill(pid, 9); deadline = DateTime.MaxValue; }
            await Task.Delay(100, cancellation);
        }
    }

    /// <summary>The server's pid when its pid file names a live redis-server; else null.</summary>
    public int? Pid(string name)
    {
        try
        {
            // data/ is the redis user's: its pid file is read only when it is a plain file, never through a link.
            var file = new FileInfo(Path.Combine(DataFolder(name), "redis.pid"));
            if (!file.Exists || file.LinkTarget is not null || file.Length > 32) return null;
            var first = File.ReadLines(file.FullName).FirstOrDefault();
            if (!int.TryParse(first, out var pid) || pid <= 0) return null;
            var comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            return comm == "redis-server" && state is not ('Z' or 'X') ? pid : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public string LogTail(string name, int lines = 15)
    {
        var file = new FileInfo(Path.Combine(DataFolder(name), "redis.log"));
        if (!file.Exists || file.LinkTarget is not null) return "";
        try { return string.Join('\n', File.ReadLines(file.FullName).TakeLast(lines)); }
        catch (IOException) { return ""; }
    }

    /// <summary>Whether something accepts TCP connections at 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool Listens(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException) { return false; }
    }

    private void Write(string path, string text, bool group)
    {
        // The folder is root's: nothing else can put a link here, so writing by path is safe.
        using (var stream = new FileStream(path, new FileStreamOptions
               {
                   Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
               }))
        using (var writer = new StreamWriter(stream)) writer.Write(text);
        if (group) Processes.GiveToServer(path, group: true);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | (group ? UnixFileMode.GroupRead : 0));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
