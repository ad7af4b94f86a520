using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Logplex;

/// <summary>
/// The log stream of every app. Each app's last <see cref="LogplexSettings.MaxLinesPerApp"/> lines live in memory
/// (a queue per app, loaded from the database the first time the app's log is read after a start) and in the
/// <c>log_lines</c> table, written by one background writer in batches, so <see cref="Publish"/> costs a lock and
/// a few allocations and never waits for the disk. Live followers subscribe with a filter and get every new
/// matching line; one that falls too far behind loses lines and is told so (Heroku's L11).
/// </summary>
/// <remarks>
/// Ids are unique over all apps and increase with time: microseconds since the Unix epoch, bumped by one when two
/// lines land in the same microsecond. They keep increasing across restarts (also when the last lines before a
/// kill -9 never reached the disk), so a client resuming from <c>Last-Event-ID</c> never gets repeats.
/// </remarks>
public sealed class Logplex : ILogplex, IAsyncDisposable, IDisposable
{
    private const int MaxBatch = 5000;
    private const int MaxPending = 200_000;

    private readonly LogLineStore _store;
    private readonly LogplexSettings _settings;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, AppLog> _apps = new(StringComparer.Ordinal);
    private readonly Channel<Pending> _pending;
    private readonly Task _writer;
    private long _lastId;
    private long _written;
    private volatile bool _disposed;

    public Logplex(Database database, LogplexSettings settings, TimeProvider time)
    {
        _store = new LogLineStore(database);
        _settings = settings;
        _time = time;
        _lastId = _store.MaxId();
        // If the disk cannot keep up (or is locked for long), the oldest unwritten lines give way; memory stays bounded.
        _pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(MaxPending)
        {
            SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest,
        });
        _writer = Task.Run(WriteLoopAsync);
    }

    public LogplexSettings Settings => _settings;

    /// <summary>Lines stored in the database by this instance so far (for tests and benchmarks).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Adds a line (or several: one per text line, long ones split) to the app's log. Never throws.</summary>
    public void Publish(string appId, string source, string dyno, string message) => Publish(appId, source, dyno, message, null);

    /// <inheritdoc cref="ILogplex.Publish(string, string, string, string, DateTimeOffset?)"/>
    public void Publish(string appId, string source, string dyno, string message, DateTimeOffset? at)
    {
        try
        {
            if (_disposed || string.IsNullOrEmpty(appId)) return;
            source = string.IsNullOrWhiteSpace(source) ? "app" : source.Trim();
            dyno = string.IsNullOrWhiteSpace(dyno) ? "unknown" : dyno.Trim();
            var parts = Split(message ?? "", _settings.MaxLineBytes);
            var log = _apps.GetOrAdd(appId, _ => new AppLog());
            var now = _time.GetUtcNow();
            lock (log.Gate)
            {
                foreach (var part in parts)
                {
                    // Ids follow arrival (followers resume after an id); the time is when the line was written.
                    var line = new LogLine(NextId(now), at ?? now, source, dyno, part);
                    log.Lines.Enqueue(line);
                    while (log.Lines.Count > _settings.MaxLinesPerApp)
                    {
                        log.Lines.Dequeue();
                        log.Complete = true; // everything older is beyond what anyone may read
                    }
                    foreach (var subscriber in log.Subscribers) subscriber.Offer(line);
                    _pending.Writer.TryWrite(new Pending(appId, line));
                }
            }
        }
        catch (Exception e)
        {
            // Logging must never break what is being logged.
            Trace.TraceError($"logplex: could not publish a line for {appId}: {e.Message}");
        }
    }

    /// <summary>The newest <paramref name="count"/> lines matching the filter, oldest first; with <paramref name="afterId"/>
    /// only lines newer than that id.</summary>
    public IReadOnlyList<LogLine> Recent(string appId, LogFilter filter, int count, long? afterId = null)
    {
        var log = Loaded(appId);
        lock (log.Gate) return Select(log, filter, count, afterId);
    }

    /// <summary>The recent lines as <see cref="Recent"/>, and a subscription to every matching line published after them
    /// (taken atomically: nothing is missed or repeated in between). Dispose the subscription to stop following.</summary>
    public (IReadOnlyList<LogLine> History, LogSubscription Live) Follow(string appId, LogFilter filter, int count, long? afterId = null)
    {
        var log = Loaded(appId);
        lock (log.Gate)
        {
            var history = Select(log, filter, count, afterId);
            var subscription = new LogSubscription(filter, _settings.TailBufferLines, _time, s =>
            {
                lock (log.Gate) log.Subscribers.Remove(s);
            });
            log.Subscribers.Add(subscription);
            return (history, subscription);
        }
    }

    /// <inheritdoc cref="ILogplex.Forget"/>
    public void Forget(string appId)
    {
        if (!_apps.TryRemove(appId, out var log)) return;
        List<LogSubscription> subscribers;
        lock (log.Gate) subscribers = [.. log.Subscribers];
        foreach (var subscriber in subscribers) subscriber.Complete();
    }

    /// <summary>Waits until every line published before this call is in the database.</summary>
    public async Task FlushAsync(CancellationToken cancellation = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite(new Pending(null, null, done))) return;
        await done.Task.WaitAsync(cancellation);
    }

    private IReadOnlyList<LogLine> Select(AppLog log, LogFilter filter, int count, long? afterId)
    {
        if (count <= 0) return [];
        var all = log.Lines.ToArray();
        var picked = new List<LogLine>(Math.Min(count, all.Length));
        for (var i = all.Length - 1; i >= 0 && picked.Count < count; i--)
        {
            var line = all[i];
            if (afterId is { } after && line.Id <= after) break;
            if (filter.Matches(line)) picked.Add(line);
        }
        picked.Reverse();
        return picked;
    }

    /// <summary>The app's log, with the lines stored by earlier runs of the platform read in the first time.</summary>
    private AppLog Loaded(string appId)
    {
        var log = _apps.GetOrAdd(appId, _ => new AppLog());
        if (log.Complete) return log;
        lock (log.LoadGate)
        {
            if (log.Complete) return log;
            long before;
            lock (log.Gate) before = log.Lines.TryPeek(out var first) ? first.Id : long.MaxValue;
            var stored = _store.Before(appId, before, _settings.MaxLinesPerApp);
            lock (log.Gate)
            {
                if (log.Complete) return log;
                var merged = new Queue<LogLine>(stored.Count + log.Lines.Count);
                for (var i = stored.Count - 1; i >= 0; i--) merged.Enqueue(stored[i]);
                foreach (var line in log.Lines) merged.Enqueue(line);
                while (merged.Count > _settings.MaxLinesPerApp) merged.Dequeue();
                log.Lines = merged;
                log.Complete = true;
            }
        }
        return log;
    }

    private long NextId(DateTimeOffset now)
    {
        var micros = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        while (true)
        {
            var current = Interlocked.Read(ref _lastId);
            var next = Math.Max(current + 1, micros);
            if (Interlocked.CompareExchange(ref _lastId, next, current) == current) return next;
        }
    }

    /// <summary>One message as log lines: one per text line (a trailing newline adds none), each at most
    /// <paramref name="maxBytes"/> UTF-8 bytes (longer ones are cut into chunks, never inside a character).</summary>
    public static IReadOnlyList<string> Split(string message, int maxBytes)
    {
        var result = new List<string>(1);
        var lines = message.Split('\n');
        var count = lines.Length > 1 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (var l = 0; l < count; l++)
        {
            var line = lines[l].EndsWith('\r') ? lines[l][..^1] : lines[l];
            if (line.Length * 3 <= maxBytes || Encoding.UTF8.GetByteCount(line) <= maxBytes)
            {
                result.Add(line);
                continue;
            }
            var start = 0;
            var bytes = 0;
            for (var i = 0; i < line.Length; i++)
            {
                var width = char.IsHighSurrogate(line[i]) && i + 1 < line.Length && char.IsLowSurrogate(line[i + 1]) ? 2 : 1;
                var size = width == 2 ? 4 : line[i] < 0x80 ? 1 : line[i] < 0x800 ? 2 : 3;
                if (bytes + size > maxBytes)
                {
                    result.Add(line[start..i]);
                    start = i;
                    bytes = 0;
                }
                bytes += size;
                i += width - 1;
            }
            result.Add(line[start..]);
        }
        return result;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _pending.Reader;
        var batch = new List<Pending>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var item)) batch.Add(item);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    WriteBatch(batch);
                    break;
                }
                catch (Exception e) when (attempt < 3)
                {
                    Trace.TraceWarning($"logplex: writing {batch.Count} lines failed ({e.Message}); retrying");
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt)).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine($"logplex: dropped {batch.Count} log lines that could not be stored: {e.Message}");
                    break;
                }
            }
            foreach (var item in batch) item.Flushed?.TrySetResult();
            batch.Clear();
        }
    }

    private void WriteBatch(List<Pending> batch)
    {
        var stored = _store.Write(batch.Where(p => p.Line is not null).Select(p => (p.AppId!, p.Line!)).ToList(), _settings.MaxLinesPerApp);
        Interlocked.Add(ref _written, stored);
    }

    /// <summary>RFC 3339 with microseconds, as Heroku prints log timestamps: <c>2026-05-01T12:00:00.123456+00:00</c>.</summary>
    public static string FormatTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        _pending.Writer.TryComplete();
        // Whatever was published before the platform stops gets written, within reason.
        await Task.WhenAny(_writer, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        foreach (var log in _apps.Values)
        {
            List<LogSubscription> subscribers;
            lock (log.Gate) subscribers = [.. log.Subscribers];
            foreach (var subscriber in subscribers) subscriber.Complete();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class AppLog
    {
        public readonly object Gate = new();
        public readonly object LoadGate = new();
        public Queue<LogLine> Lines = new();
        /// <summary>The queue holds every line a reader may ask for (loaded from the database, or full).</summary>
        public volatile bool Complete;
        public readonly List<LogSubscription> Subscribers = [];
    }

    /// <summary>A line on its way to the database, or (with <see cref="Flushed"/>) a marker to signal once written.</summary>
    private sealed record Pending(string? AppId, LogLine? Line, TaskCompletionSource? Flushed = null);
}
