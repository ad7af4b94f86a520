using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Nuvem.Platform;
using Nuvem.Platform.Accounts;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.State;
using Xunit.Abstractions;
using LogStore = Nuvem.Platform.Logplex.Logplex;

namespace Nuvem.Tests.Logplex;

/// <summary>The log store on its own: a real SQLite database in a temp file, no server.</summary>
public sealed class LogplexStoreTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"nuvem-logplex-{Guid.NewGuid():N}.db");
    private readonly Database _database;
    private readonly ITestOutputHelper _output;
    private readonly Account _owner;

    public LogplexStoreTests(ITestOutputHelper output)
    {
        _output = output;
        _database = new Database(_path);
        Migrator.Migrate(_database);
        _owner = new AccountService(_database, TimeProvider.System).Create("owner@nuvem.test", "owner-password");
    }

    private string NewApp() => new AppService(_database, new PlatformSettings(), new NoLogs()).Create(_owner).Id;

    private sealed class NoLogs : ILogplex
    {
        public void Publish(string appId, string source, string dyno, string message) { }
    }

    private LogStore Open(int lines = 1500, int tailBuffer = 10_000) =>
        new(_database, new LogplexSettings { MaxLinesPerApp = lines, TailBufferLines = tailBuffer }, TimeProvider.System);

    private long StoredCount(string appId) =>
        _database.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM log_lines WHERE app_id = @appId", new { appId }));

    [Fact]
    public async Task Lines_keep_publishing_order_with_increasing_ids_and_heroku_timestamps()
    {
        await using var logplex = Open();
        var app = NewApp();
        for (var i = 0; i < 200; i++) logplex.Publish(app, "app", "web.1", $"line {i}");

        var lines = logplex.Recent(app, LogFilter.All, 1000);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"line {i}"), lines.Select(l => l.Message));
        Assert.True(lines.Zip(lines.Skip(1)).All(p => p.First.Id < p.Second.Id), "ids must strictly increase");
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 app\[web\.1\]: line 0$"), lines[0].ToString());
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$"), LogStore.FormatTime(lines[0].Timestamp));
        Assert.Equal(["line 198", "line 199"], logplex.Recent(app, LogFilter.All, 2).Select(l => l.Message));
        Assert.Empty(logplex.Recent(app, LogFilter.All, 0));
    }

    [Fact]
    public async Task Each_app_keeps_only_its_last_n_lines_in_memory_and_on_disk()
    {
        var (a, b) = (NewApp(), NewApp());
        await using (var logplex = Open(lines: 5))
        {
            for (var i = 0; i < 12; i++) logplex.Publish(a, "app", "web.1", $"a{i}");
            logplex.Publish(b, "heroku", "router", "b0");
            Assert.Equal(["a7", "a8", "a9", "a10", "a11"], logplex.Recent(a, LogFilter.All, 100).Select(l => l.Message));
            await logplex.FlushAsync();
            Assert.Equal(5, StoredCount(a));
            Assert.Equal(1, StoredCount(b));
        }

        // Another instance on the same database (a restarted platform) reads them back, and keeps trimming.
        await using (var restarted = Open(lines: 5))
        {
            Assert.Equal(["a7", "a8", "a9", "a10", "a11"], restarted.Recent(a, LogFilter.All, 100).Select(l => l.Message));
            restarted.Publish(a, "app", "web.1", "after restart");
            var lines = restarted.Recent(a, LogFilter.All, 100);
            Assert.Equal(["a8", "a9", "a10", "a11", "after restart"], lines.Select(l => l.Message));
            Assert.True(lines[^2].Id < lines[^1].Id);
            Assert.Equal(["b0"], restarted.Recent(b, LogFilter.All, 100).Select(l => l.Message));
            await restarted.FlushAsync();
            Assert.Equal(5, StoredCount(a));
        }
    }

    [Fact]
    public async Task Lines_published_before_the_first_read_after_a_restart_merge_with_the_stored_ones()
    {
        var app = NewApp();
        await using (var logplex = Open(lines: 4))
        {
            logplex.Publish(app, "app", "web.1", "old 1");
            logplex.Publish(app, "app", "web.1", "old 2");
            await logplex.FlushAsync();
        }
        await using var restarted = Open(lines: 4);
        restarted.Publish(app, "app", "web.1", "new 1");
        await restarted.FlushAsync(); // stored too: must not show twice
        restarted.Publish(app, "app", "web.1", "new 2");
        Assert.Equal(["old 1", "old 2", "new 1", "new 2"], restarted.Recent(app, LogFilter.All, 10).Select(l => l.Message));
    }

    [Fact]
    public void Lines_longer_than_10000_bytes_are_split_and_multi_line_messages_become_lines()
    {
        var chunks = LogStore.Split(new string('x', 25_000), 10_000);
        Assert.Equal([10_000, 10_000, 5_000], chunks.Select(c => c.Length));

        // Never inside a character: 'é' is two bytes, so 10,000 bytes hold 5,000 of them.
        var accents = LogStore.Split("a" + new string('é', 6_000), 10_000);
        Assert.All(accents, c => Assert.True(Encoding.UTF8.GetByteCount(c) <= 10_000));
        Assert.Equal("a" + new string('é', 6_000), string.Concat(accents));
        var emoji = LogStore.Split(string.Concat(Enumerable.Repeat("☕😀", 3_000)), 10_000);
        Assert.All(emoji, c => Assert.False(char.IsHighSurrogate(c[^1])));

        Assert.Equal(["one", "two", ""], LogStore.Split("one\r\ntwo\n\n", 10_000));
        Assert.Equal([""], LogStore.Split("", 10_000));
    }

    [Fact]
    public async Task Publishing_splits_long_lines_like_heroku()
    {
        await using var logplex = Open();
        var app = NewApp();
        logplex.Publish(app, "app", "web.1", new string('y', 20_001) + "\nshort");
        Assert.Equal([10_000, 10_000, 1, 5], logplex.Recent(app, LogFilter.All, 10).Select(l => l.Message.Length));
    }

    [Fact]
    public async Task Filters_by_source_dyno_and_process_type()
    {
        await using var logplex = Open();
        var app = NewApp();
        logplex.Publish(app, "app", "web.1", "w1");
        logplex.Publish(app, "app", "web.2", "w2");
        logplex.Publish(app, "app", "webhook.1", "hook");
        logplex.Publish(app, "heroku", "web.1", "State changed from starting to up");
        logplex.Publish(app, "heroku", "router", "at=info method=GET path=\"/\"");
        logplex.Publish(app, "app", "api", "Release v2 created by user a@b.c");

        string[] Messages(string? source, string? dyno) => logplex.Recent(app, LogFilter.Parse(source, dyno), 100).Select(l => l.Message).ToArray();
        Assert.Equal(["w1", "w2", "hook", "Release v2 created by user a@b.c"], Messages("app", null));
        Assert.Equal(["State changed from starting to up", "at=info method=GET path=\"/\""], Messages("heroku", null));
        Assert.Equal(["w1", "State changed from starting to up"], Messages(null, "web.1"));
        Assert.Equal(["w1", "w2", "State changed from starting to up"], Messages(null, "web"));
        Assert.Equal(["w1", "w2"], Messages("app", "web"));
        Assert.Equal(["at=info method=GET path=\"/\""], Messages(null, "router"));
        Assert.Equal(["Release v2 created by user a@b.c"], Messages(null, "api"));
        Assert.Equal(6, Messages("", " ").Length);

        Assert.Equal("invalid_params", Assert.Throws<PlatformException>(() => LogFilter.Parse("system", null)).Id);
        Assert.Equal("invalid_params", Assert.Throws<PlatformException>(() => LogFilter.Parse(null, "web 1")).Id);
        Assert.Equal("invalid_params", Assert.Throws<PlatformException>(() => LogFilter.Parse(null, "web.x")).Id);
    }

    [Fact]
    public async Task Last_event_id_resumes_right_after_that_line()
    {
        await using var logplex = Open();
        var app = NewApp();
        for (var i = 0; i < 10; i++) logplex.Publish(app, "app", "web.1", $"l{i}");
        var all = logplex.Recent(app, LogFilter.All, 100);
        Assert.Equal(["l7", "l8", "l9"], logplex.Recent(app, LogFilter.All, 100, afterId: all[6].Id).Select(l => l.Message));
        Assert.Empty(logplex.Recent(app, LogFilter.All, 100, afterId: all[^1].Id));

        var (history, live) = logplex.Follow(app, LogFilter.All, 100, afterId: all[8].Id);
        using (live)
        {
            Assert.Equal(["l9"], history.Select(l => l.Message));
            logplex.Publish(app, "app", "web.1", "l10");
            Assert.True(live.TryRead(out var next));
            Assert.Equal("l10", next.Message);
        }
    }

    [Fact]
    public async Task Followers_get_new_matching_lines_and_nothing_twice()
    {
        await using var logplex = Open();
        var app = NewApp();
        logplex.Publish(app, "app", "web.1", "before");
        var (history, live) = logplex.Follow(app, LogFilter.Parse(null, "web"), 10);
        Assert.Equal(["before"], history.Select(l => l.Message));

        var received = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (received.Count < 2 && await live.WaitToReadAsync(CancellationToken.None))
                while (live.TryRead(out var line)) received.Add(line.Message);
        });
        logplex.Publish(app, "heroku", "router", "not for us");
        logplex.Publish(app, "app", "web.2", "after 1");
        logplex.Publish(app, "app", "worker.1", "not for us either");
        logplex.Publish(app, "heroku", "web.1", "after 2");
        await reading.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["after 1", "after 2"], received);

        live.Dispose();
        logplex.Publish(app, "app", "web.1", "after dispose"); // no subscriber left to offer it to
        Assert.False(live.TryRead(out _));
    }

    [Fact]
    public async Task A_follower_that_falls_behind_is_told_how_many_lines_it_lost()
    {
        await using var logplex = Open(tailBuffer: 3);
        var app = NewApp();
        var (_, live) = logplex.Follow(app, LogFilter.All, 0);
        using (live)
        {
            for (var i = 0; i < 10; i++) logplex.Publish(app, "app", "web.1", $"l{i}");
            var read = new List<LogLine>();
            while (live.TryRead(out var line)) read.Add(line);
            Assert.Equal(["l0", "l1", "l2"], read.Take(3).Select(l => l.Message));
            Assert.Equal("heroku[logplex]", $"{read[3].Source}[{read[3].Dyno}]");
            Assert.StartsWith("Error L11 (Tail buffer overflow) -> This tail session dropped 7 messages since ", read[3].Message);
            Assert.Equal(4, read.Count);
            logplex.Publish(app, "app", "web.1", "l10");
            Assert.True(live.TryRead(out var next));
            Assert.Equal("l10", next.Message);
            Assert.True(next.Id > read[3].Id);
        }
    }

    [Fact]
    public async Task Publishing_never_throws_even_with_nonsense_or_after_disposal()
    {
        var logplex = Open();
        logplex.Publish(null!, "app", "web.1", "x");
        logplex.Publish("no-such-app", null!, null!, null!); // stored nowhere: the app does not exist
        var app = NewApp();
        logplex.Publish(app, "", "", "defaults");
        Assert.Equal("app[unknown]: defaults", logplex.Recent(app, LogFilter.All, 1).Single().ToString()[33..]);
        await logplex.FlushAsync();
        Assert.Equal(1, StoredCount(app));
        await logplex.DisposeAsync();
        logplex.Publish(app, "app", "web.1", "after dispose");
    }

    [Fact]
    public async Task Publishing_is_cheap_and_the_writer_keeps_up()
    {
        await using var logplex = Open();
        var apps = Enumerable.Range(0, 10).Select(_ => NewApp()).ToList();
        const int count = 100_000;
        var message = new string('m', 120);
        var publish = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) logplex.Publish(apps[i % apps.Count], "app", "web.1", message);
        publish.Stop();
        var flush = Stopwatch.StartNew();
        await logplex.FlushAsync();
        flush.Stop();
        var perLine = publish.Elapsed.TotalMicroseconds / count;
        _output.WriteLine($"publish: {perLine:0.00} µs/line ({count / publish.Elapsed.TotalSeconds:0} lines/s); " +
                          $"persisted {logplex.Written} lines {flush.ElapsedMilliseconds} ms after the last publish");
        Assert.True(perLine < 50, $"Publish took {perLine:0.0} µs per line");
        Assert.All(apps, a => Assert.Equal(1500, StoredCount(a)));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }
}
