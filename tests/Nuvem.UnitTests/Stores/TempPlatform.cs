using Microsoft.Data.Sqlite;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Domains;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Formation;
using Nuvem.Platform.Git;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Operations;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;

namespace Nuvem.UnitTests.Stores;

/// <summary>
/// The platform's state in a temporary directory: a SQLite file migrated by the real <see cref="Migrator"/>, the real
/// services, stores and operations over it, and fakes where the platform would start processes (the scheduler, the
/// release command) or keep a log stream. No root, no server.
/// </summary>
public sealed class TempPlatform : IDisposable
{
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), $"nuvem-unit-{Guid.NewGuid():N}");
    public Database Database { get; }
    public PlatformSettings Settings { get; } = new() { Domain = "apps.test" };
    public RecordingLogplex Logplex { get; } = new();
    public FakeScheduler Scheduler { get; } = new();
    public FakeReleaseCommand ReleaseCommand { get; } = new();
    public SlugBlobStore Blobs { get; }

    public AppStore AppStore { get; }
    public ReleaseStore ReleaseStore { get; }
    public SlugStore SlugStore { get; }
    public FormationStore FormationStore { get; }
    public DomainStore DomainStore { get; }

    public AccountService Accounts { get; }
    public AppService Apps { get; }
    public ConfigVarService ConfigVars { get; }
    public ReleaseService Releases { get; }
    public ReleasePhase ReleasePhase { get; }
    public FormationService Formation { get; }
    public DomainService Domains { get; }
    public Account Owner { get; }

    public TempPlatform()
    {
        Directory.CreateDirectory(Path.Combine(DataDir, "releases"));
        Database = new Database(Path.Combine(DataDir, "nuvem.db"));
        Migrator.Migrate(Database);
        Blobs = new SlugBlobStore(Path.Combine(DataDir, "slugs"));
        AppStore = new AppStore(Database);
        ReleaseStore = new ReleaseStore(Database);
        SlugStore = new SlugStore(Database);
        FormationStore = new FormationStore(Database);
        DomainStore = new DomainStore(Database);
        Accounts = new AccountService(Database, TimeProvider.System);
        Apps = new AppService(Database, Settings);
        ConfigVars = new ConfigVarService(Database, Settings);
        Releases = new ReleaseService(Database, Settings, Logplex, Blobs);
        ReleasePhase = new ReleasePhase(Releases, ReleaseCommand, new OutputLogs(), Logplex, DataDir);
        Formation = new FormationService(Database, Settings, Logplex);
        Domains = new DomainService(Database, Settings, TimeProvider.System);
        Owner = Accounts.Create("owner@nuvem.test", "owner-password");
    }

    public CreateApp CreateApp() => new(Apps, Releases, Scheduler);
    public SetConfigVars SetConfigVars() => new(Database, ConfigVars, Releases, ReleasePhase, Scheduler);
    public DeploySlug DeploySlug() => new(Releases, ReleasePhase, Scheduler);
    public Rollback Rollback() => new(Releases, ReleasePhase, Scheduler);
    public Scale Scale() => new(Formation, Scheduler);

    public DestroyApp DestroyApp() => new(Apps, SlugStore, ReleaseStore, new BuildStore(Database),
        new AppRepositories(Database, Path.Combine(DataDir, "repos")), Blobs, Logplex, Domains, Scheduler, DataDir);

    /// <summary>An app with its first release, made the way the API makes it.</summary>
    public App NewApp(string name) => CreateApp().RunAsync(Owner, name).GetAwaiter().GetResult();

    /// <summary>A slug whose tarball is in the store (its bytes are not a real tarball: nothing unpacks it here).</summary>
    public string StoredSlug(App app, IReadOnlyDictionary<string, string> processTypes, string? commit = null, string? content = null)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(content ?? Guid.NewGuid().ToString());
        var checksum = "SHA256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var path = Blobs.PathFor(checksum)!;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return SlugStore.InsertBuilt(app.Id, processTypes, commit, "Test", Settings.Stack, new StoredSlug(checksum, bytes.Length, path));
    }

    public static IReadOnlyDictionary<string, string> Web(string command = "./server") => new Dictionary<string, string> { ["web"] = command };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Every line the platform published, by app.</summary>
public sealed class RecordingLogplex : ILogplex
{
    private readonly List<(string AppId, string Line)> _lines = [];

    public void Publish(string appId, string source, string dyno, string message)
    {
        lock (_lines) _lines.Add((appId, $"{source}[{dyno}]: {message}"));
    }

    public List<string> Forgotten { get; } = [];

    public void Forget(string appId) => Forgotten.Add(appId);

    public IReadOnlyList<string> LinesOf(string appId)
    {
        lock (_lines) return _lines.Where(l => l.AppId == appId).Select(l => l.Line).ToList();
    }
}

/// <summary>Records what the operations told the scheduler; runs nothing.</summary>
public sealed class FakeScheduler : IScheduler
{
    public List<string> Calls { get; } = [];

    public void Apply(string appId) => Calls.Add($"apply {appId}");
    public Task ApplyNowAsync(string appId) { Calls.Add($"apply-now {appId}"); return Task.CompletedTask; }
    public Task ForgetAsync(string appId) { Calls.Add($"forget {appId}"); return Task.CompletedTask; }
    public IReadOnlyList<Dyno> List(App app) => [];

    /// <summary>The dynos that exist, by name and type, for restarts and stops.</summary>
    public List<(string Name, string Type)> Dynos { get; } = [];

    public Task<int> RestartAsync(App app, string? type = null, string? name = null) => Count("restart", type, name);
    public Task<int> StopAsync(App app, string? type = null, string? name = null) => Count("stop", type, name);

    private Task<int> Count(string what, string? type, string? name)
    {
        Calls.Add($"{what} type={type} name={name}");
        return Task.FromResult(Dynos.Count(d => (type is null || d.Type == type) && (name is null || d.Name == name)));
    }

    public Task<(Dyno Dyno, IAttachedDyno? Attached)> RunOneOffAsync(App app, OneOffRequest request)
    {
        Calls.Add($"run {request.Command}");
        var dyno = new Dyno { Id = Guid.NewGuid().ToString(), AppId = app.Id, Name = "run.1234", Type = "run", Command = request.Command,
            State = "starting", ReleaseId = "", ReleaseVersion = 0, Size = "standard-1x", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        return Task.FromResult<(Dyno, IAttachedDyno?)>((dyno, null));
    }
}

/// <summary>The release command: exits with <see cref="ExitCode"/>; <see cref="Ran"/> completes once it has run.</summary>
public sealed class FakeReleaseCommand : IReleaseCommandRunner
{
    public int ExitCode { get; set; }
    private TaskCompletionSource _ran = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public Task Ran => _ran.Task;

    public Task<int> RunAsync(App app, Release release, SlugReference slug, string command, Func<string, Task> output, CancellationToken cancellation)
    {
        _ran.TrySetResult();
        return Task.FromResult(ExitCode);
    }
}
