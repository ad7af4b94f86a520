using System.Collections.Concurrent;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Builds.Buildpacks;
using Nuvem.Platform.ConfigVars;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Operations;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;
using Nuvem.UnitTests.Stores;

namespace Nuvem.UnitTests.Builds;

/// <summary>
/// A <see cref="Builder"/> over a temporary SQLite state, with a scripted executor and releaser in place of build
/// dynos and releases: the orchestration alone, no root, no server.
/// </summary>
internal sealed class BuilderHarness : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("nuvem-builder-").FullName;

    public BuilderHarness(int concurrency = 2)
    {
        var settings = new PlatformSettings();
        var database = new Database(Path.Combine(_dataDir, "nuvem.db"));
        Migrator.Migrate(database);
        Account = new AccountService(database, TimeProvider.System).Create("dev@example.com", "correct horse battery");
        Apps = new AppService(database, settings, Logplex);
        Builds = new BuildStore(database);
        Buildpacks = new BuildpackInstallationStore(database);
        var releases = new ReleaseService(database, settings, Logplex, new SlugBlobStore(Path.Combine(_dataDir, "slugs")));
        ConfigVars = new ConfigVarService(database, settings);
        _releases = releases;
        _database = database;
        // The build record points at the slug and release made: real rows (the fake does not make them itself).
        var slugs = new SlugService(database, settings);
        Releaser = new FakeReleaser(app => (slugs.Create(app, new SlugSpec(new Dictionary<string, string> { ["web"] = "x" })).Slug.Id, releases.Current(app)!.Id));
        Builder = new Builder(settings, new BuildSettings { Concurrency = concurrency }, Builds, Buildpacks, ConfigVars, Executor, Releaser,
            Logs, Logplex, _dataDir);
    }

    public Account Account { get; }
    public AppService Apps { get; }
    public BuildStore Builds { get; }
    public BuildpackInstallationStore Buildpacks { get; }
    public ConfigVarService ConfigVars { get; }
    private readonly Database _database;
    private readonly ReleaseService _releases;

    /// <summary>Sets config vars as a config release would (the release itself does not matter to the builder).</summary>
    public void SetConfig(App app, IReadOnlyDictionary<string, string?> changes) =>
        _database.Write((c, t) => { ConfigVars.Apply(c, t, app, changes); });
    public FakeLogplex Logplex { get; } = new();
    public OutputLogs Logs { get; } = new();
    public FakeExecutor Executor { get; } = new();
    public FakeReleaser Releaser { get; }
    public Builder Builder { get; }

    /// <summary>An app with its v1, made as the API makes it.</summary>
    public App App(string name) => new CreateApp(Apps, _releases, new FakeScheduler()).RunAsync(Account, name).GetAwaiter().GetResult();

    public static BuildSource Source(string version = "1a2b3c4d") =>
        BuildSource.Held(_ => Task.FromResult<Stream>(new MemoryStream()), version);

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}

/// <summary>Runs each build as scripted: by default it says a line and makes a slug; a test may hold it or fail it.</summary>
internal sealed class FakeExecutor : IBuildExecutor
{
    private int _running;

    public ConcurrentQueue<BuildRequest> Requests { get; } = new();
    public int MostAtOnce { get; private set; }
    public Func<BuildRequest, Func<string, Task>, Task<BuildOutcome>> Script { get; set; } = async (_, say) =>
    {
        await say("compiling...");
        return Made;
    };

    public static BuildOutcome Made { get; } = BuildOutcome.Built(
        new BuiltSlug(new StoredSlug("SHA256:" + new string('a', 64), 2048, "/nowhere"),
            new Dictionary<string, string> { ["web"] = "node server.js" }, "Node.js"), "nuvem/nodejs");

    public async Task<BuildOutcome> RunAsync(BuildRequest request, Func<string, Task> output, CancellationToken cancellation)
    {
        Requests.Enqueue(request);
        lock (this) MostAtOnce = Math.Max(MostAtOnce, ++_running);
        try { return await Script(request, output); }
        finally { lock (this) _running--; }
    }
}

/// <summary>Stands in for the deploy operation: counts releases, and its release phase succeeds unless told otherwise.</summary>
internal sealed class FakeReleaser(Func<App, (string SlugId, string ReleaseId)> rows) : IBuiltSlugReleaser
{
    public List<(string AppId, BuiltSlug Slug, string? Commit)> Released { get; } = [];
    public bool HasReleaseCommand { get; set; }
    public bool ReleasePhaseSucceeds { get; set; } = true;
    public int ReleasePhases { get; private set; }
    public List<(string Status, bool Created)> BuildChanges { get; } = [];

    public void BuildChanged(App app, Build build, bool created)
    {
        lock (BuildChanges) BuildChanges.Add((build.Status, created));
    }

    public BuiltRelease Release(App app, string userId, BuiltSlug slug, string? commit)
    {
        lock (Released) Released.Add((app.Id, slug, commit));
        var (slugId, releaseId) = rows(app);
        return new BuiltRelease(slugId, releaseId, 2, HasReleaseCommand);
    }

    public async Task<bool> RunReleasePhaseAsync(App app, BuiltRelease release, Func<string, Task> say)
    {
        ReleasePhases++;
        await say("       running migrations");
        return ReleasePhaseSucceeds;
    }
}

/// <summary>The app[api] lines the builder writes into app logs.</summary>
internal sealed class FakeLogplex : ILogplex
{
    public ConcurrentQueue<(string AppId, string Message)> Lines { get; } = new();

    public void Publish(string appId, string source, string dyno, string message) => Lines.Enqueue((appId, message));

    public IEnumerable<string> Of(App app) => Lines.Where(l => l.AppId == app.Id).Select(l => l.Message);
}
