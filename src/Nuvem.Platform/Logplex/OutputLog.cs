using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Nuvem.Platform.Logplex;

/// <summary>
/// The output of one build or release phase: appended to a file as it happens (the stored output) and
/// fanned out to anyone following it live (the pusher, <c>output_stream_url</c> readers). A follower that
/// joins late first gets every line so far, then the rest as it comes. It lives beside the log stream, below both
/// Builds and Releases, because a push's output is the build's and then its release phase's.
/// </summary>
public sealed class OutputLog : IAsyncDisposable
{
    private readonly StreamWriter _file;
    private readonly List<string> _lines = [];
    private readonly List<Channel<string>> _followers = [];
    private readonly object _gate = new();
    private bool _completed;

    public OutputLog(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        _file = new StreamWriter(path, append: false) { AutoFlush = true };
    }

    public string Path { get; }

    /// <summary>Adds a line to the stored output of work that is over (no one follows it live any more).</summary>
    public static void Append(string path, string line)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.AppendAllText(path, line + "\n");
    }

    public async Task WriteLineAsync(string line)
    {
        lock (_gate)
        {
            if (_completed) return;
            _lines.Add(line);
            foreach (var follower in _followers) follower.Writer.TryWrite(line);
        }
        await _file.WriteLineAsync(line);
    }

    public void Complete()
    {
        lock (_gate)
        {
            if (_completed) return;
            _completed = true;
            foreach (var follower in _followers) follower.Writer.TryComplete();
            _followers.Clear();
        }
    }

    public async IAsyncEnumerable<string> FollowAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            foreach (var line in _lines) channel.Writer.TryWrite(line);
            if (_completed) channel.Writer.TryComplete();
            else _followers.Add(channel);
        }
        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellation)) yield return line;
        }
        finally
        {
            lock (_gate) _followers.Remove(channel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Complete();
        await _file.DisposeAsync();
    }
}

/// <summary>The output logs still being written, by build or release id, so readers can follow them live.</summary>
public sealed class OutputLogs
{
    private readonly ConcurrentDictionary<string, OutputLog> _live = new();

    public OutputLog Open(string id, string path)
    {
        var log = new OutputLog(path);
        _live[id] = log;
        return log;
    }

    public OutputLog? Live(string id) => _live.TryGetValue(id, out var log) ? log : null;

    public async Task CloseAsync(string id)
    {
        if (_live.TryRemove(id, out var log)) await log.DisposeAsync();
    }
}
