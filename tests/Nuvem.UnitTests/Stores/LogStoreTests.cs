using Nuvem.Platform;
using Nuvem.Platform.LogDrains;
using Nuvem.Platform.Logplex;

namespace Nuvem.UnitTests.Stores;

public sealed class LogStoreTests : IDisposable
{
    private readonly TempPlatform _p = new();

    [Fact]
    public void Log_lines_are_kept_newest_first_per_existing_app()
    {
        var app = _p.NewApp("logs");
        var store = new LogLineStore(_p.Database);
        var at = DateTimeOffset.Parse("2026-12-01T00:00:00Z");
        var lines = Enumerable.Range(1, 5).Select(i => (app.Id, new LogLine(i, at, "app", "web.1", $"line {i}")))
            .Append(("no-such-app", new LogLine(6, at, "app", "web.1", "lost"))).ToList();
        Assert.Equal(5, store.Write(lines, keep: 3));
        Assert.Equal(5, store.MaxId());
        Assert.Equal(["line 5", "line 4", "line 3"], store.Before(app.Id, long.MaxValue, 10).Select(l => l.Message).ToArray());
        Assert.Equal(["line 4"], store.Before(app.Id, 5, 1).Select(l => l.Message).ToArray());
    }

    [Fact]
    public void Drains_are_found_by_id_token_or_url_and_added_once()
    {
        var app = _p.NewApp("drains");
        var drains = new LogDrainService(_p.Database);
        var drain = drains.Add(app, "syslog://logs.example:514");
        Assert.Equal(drain.Id, drains.Find(app, drain.Token).Id);
        Assert.Equal(drain.Id, drains.Find(app, "syslog://logs.example:514").Id);
        Assert.Throws<PlatformException>(() => drains.Add(app, "syslog://logs.example:514"));
        for (var i = 1; i < LogDrainService.MaxDrainsPerApp; i++) drains.Add(app, $"https://logs.example/{i}");
        Assert.Contains("the most an app can have", Assert.Throws<PlatformException>(() => drains.Add(app, "https://logs.example/x")).Message);
        drains.Remove(app, drain.Id);
        Assert.Equal(LogDrainService.MaxDrainsPerApp - 1, drains.List(app).Count);
    }

    public void Dispose() => _p.Dispose();
}
