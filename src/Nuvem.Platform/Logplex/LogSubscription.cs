using System.Threading.Channels;

namespace Nuvem.Platform.Logplex;

/// <summary>
/// A live follower of one app's log (a <c>logs --tail</c> session). Lines are offered by the publisher without
/// waiting; a follower that falls <see cref="LogplexSettings.TailBufferLines"/> behind loses the lines that do not
/// fit and, once it has caught up, reads one Heroku L11 line saying how many were dropped since when.
/// </summary>
public sealed class LogSubscription : IDisposable
{
    private readonly Channel<LogLine> _lines;
    private readonly TimeProvider _time;
    private readonly Action<LogSubscription> _unsubscribe;
    private readonly object _gate = new();
    private int _dropped;
    private long _lastDroppedId;
    private DateTimeOffset _droppedSince;
    private int _disposed;

    internal LogSubscription(LogFilter filter, int capacity, TimeProvider time, Action<LogSubscription> unsubscribe)
    {
        Filter = filter;
        _time = time;
        _unsubscribe = unsubscribe;
        _lines = Channel.CreateBounded<LogLine>(new BoundedChannelOptions(Math.Max(1, capacity))
        {
            SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public LogFilter Filter { get; }

    /// <summary>Called by the publisher, under the app's lock. Never blocks.</summary>
    internal void Offer(LogLine line)
    {
        if (!Filter.Matches(line)) return;
        lock (_gate)
        {
            // Once lines were dropped, keep dropping until the reader has caught up and been told, so ids stay in order.
            if (_dropped == 0 && _lines.Writer.TryWrite(line)) return;
            if (_dropped == 0) _droppedSince = line.Timestamp;
            _dropped++;
            _lastDroppedId = line.Id;
        }
    }

    internal void Complete() => _lines.Writer.TryComplete();

    /// <summary>Completes when a line can be read (true) or the stream has ended (false).</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellation)
    {
        if (HasDropped()) return true;
        return await _lines.Reader.WaitToReadAsync(cancellation).ConfigureAwait(false) || HasDropped();
    }

    public bool TryRead(out LogLine line)
    {
        if (_lines.Reader.TryRead(out line!)) return true;
        lock (_gate)
        {
            if (_dropped == 0 || _lines.Reader.TryPeek(out _)) return false;
            line = new LogLine(_lastDroppedId, _time.GetUtcNow(), "heroku", "logplex",
                $"Error L11 (Tail buffer overflow) -> This tail session dropped {_dropped} messages since {Logplex.FormatTime(_droppedSince)}.");
            _dropped = 0;
            return true;
        }
    }

    private bool HasDropped()
    {
        lock (_gate) return _dropped > 0;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _unsubscribe(this);
        _lines.Writer.TryComplete();
    }
}
