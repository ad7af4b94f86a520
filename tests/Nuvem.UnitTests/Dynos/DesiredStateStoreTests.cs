using Dapper;
using Nuvem.Platform;
using Nuvem.Platform.Dynos.Scheduling;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;

namespace Nuvem.UnitTests.Dynos;

/// <summary>The desired state read from a temporary database: the current release, its slug, config and formation.</summary>
public sealed class DesiredStateStoreTests : IDisposable
{
    private static readonly string Checksum = "SHA256:" + new string('c', 64);
    private readonly string _directory = Directory.CreateTempSubdirectory("nuvem-desired-").FullName;
    private readonly Database _database;
    private readonly SlugBlobStore _slugs;

    public DesiredStateStoreTests()
    {
        _database = new Database(Path.Combine(_directory, "nuvem.db"));
        Migrator.Migrate(_database);
        _slugs = new SlugBlobStore(Path.Combine(_directory, "slugs"));
        var tarball = _slugs.PathFor(Checksum)!;
        Directory.CreateDirectory(Path.GetDirectoryName(tarball)!);
        File.WriteAllBytes(tarball, [0x1f, 0x8b]);
        Execute("INSERT INTO users (id, email, password_hash, created_at, updated_at) VALUES ('u', 'u@example.com', 'x', '2026', '2026')");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void Execute(string sql, object? values = null) => _database.Write((c, t) => { c.Execute(sql, values, t); });

    private void App(string id, int uid, bool maintenance = false) => Execute(
        "INSERT INTO apps (id, name, owner_id, region, stack, maintenance, uid, created_at, updated_at) VALUES (@id, @name, 'u', 'local', 'heroku-24', @maintenance, @uid, '2026', '2026')",
        new { id, name = "app-" + id, maintenance, uid });

    private void Slug(string id, string app, string? checksum) => Execute(
        "INSERT INTO slugs (id, app_id, stack, checksum, created_at, updated_at) VALUES (@id, @app, 'heroku-24', @checksum, '2026', '2026')", new { id, app, checksum });

    private void Release(string app, int version, string status, string? slug, string config = "{}") => Execute(
        "INSERT INTO releases (id, app_id, version, description, status, slug_id, config_vars, created_at, updated_at) VALUES (@id, @app, @version, 'd', @status, @slug, @config, '2026', '2026')",
        new { id = $"{app}-v{version}", app, version, status, slug, config });

    private void Formation(string app, string type, int quantity, string size = "Basic") => Execute(
        "INSERT INTO formations (id, app_id, type, command, quantity, size, created_at, updated_at) VALUES (@id, @app, @type, @command, @quantity, @size, '2026', '2026')",
        new { id = $"{app}-{type}", app, type, command = type + " command", quantity, size });

    private DesiredState Read() => new DesiredStateStore(_database, new PlatformSettings(), _slugs).Read();

    [Fact]
    public void An_app_wants_its_latest_succeeded_releases_formation()
    {
        App("a", 20001, maintenance: true);
        Slug("s1", "a", Checksum);
        Release("a", 1, "succeeded", "s1");
        Release("a", 2, "succeeded", "s1", """{"DATABASE_URL":"postgres://db"}""");
        Release("a", 3, "pending", "s1");
        Release("a", 4, "failed", "s1");
        Formation("a", "web", 2, "Standard-2X");
        Formation("a", "worker", 1, "no-such-size");
        Formation("a", "clock", 0);

        var app = Assert.Single(Read().Apps);

        Assert.Equal(("a", "app-a", 20001, true, "a-v2", 2L), (app.AppId, app.AppName, app.Uid, app.Maintenance, app.ReleaseId, app.ReleaseVersion));
        Assert.Equal(new SlugReference("s1", Checksum), app.Slug);
        Assert.Equal("postgres://db", app.ConfigVars["DATABASE_URL"]);
        Assert.Equal(["web 2 web command Standard-2X", "worker 1 worker command Basic"],
            app.Processes.OrderBy(p => p.Type).Select(p => $"{p.Type} {p.Quantity} {p.Command} {p.Size.Name}"));
    }

    [Fact]
    public void An_app_without_a_release_wants_nothing()
    {
        App("a", 20001);
        Formation("a", "web", 1);

        var app = Assert.Single(Read().Apps);

        Assert.Null(app.Slug);
        Assert.Null(app.ReleaseId);
        Assert.Empty(app.Processes);
    }

    [Fact]
    public void Apps_whose_slug_or_config_cannot_be_used_are_broken_with_why()
    {
        App("lost", 20001);
        Slug("s-lost", "lost", "x");
        Release("lost", 2, "succeeded", "s-lost");
        App("garbled", 20002);
        Slug("s-ok", "garbled", Checksum);
        Release("garbled", 2, "succeeded", "s-ok", "{not json");
        App("healthy", 20003);
        Release("healthy", 1, "succeeded", "s-ok");

        var state = Read();

        Assert.Equal(["healthy"], state.Apps.Select(a => a.AppId));
        var broken = state.Broken.ToDictionary(b => b.AppId, b => b.Problem);
        Assert.StartsWith("Release v2 cannot run: Slug s-lost has checksum 'x'", broken["lost"]);
        Assert.StartsWith("Release v2 cannot run: its config vars cannot be read", broken["garbled"]);
    }
}
