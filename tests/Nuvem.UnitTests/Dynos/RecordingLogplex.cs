using System.Collections.Concurrent;
using Nuvem.Platform.Logplex;

namespace Nuvem.UnitTests.Dynos;

/// <summary>Keeps every published line, for assertions on what an app's log says.</summary>
public sealed class RecordingLogplex : ILogplex
{
    public sealed record Line(string AppId, string Source, string Dyno, string Message)
    {
        public override string ToString() => $"{Source}[{Dyno}]: {Message}";
    }

    private readonly ConcurrentQueue<Line> _lines = new();

    public void Publish(string appId, string source, string dyno, string message) => _lines.Enqueue(new Line(appId, source, dyno, message));

    public IReadOnlyList<Line> Lines(string appId) => _lines.Where(l => l.AppId == appId).ToList();

    /// <summary>The app's lines as its log shows them: <c>heroku[web.1]: State changed from starting to up</c>.</summary>
    public IReadOnlyList<string> Text(string appId) => Lines(appId).Select(l => l.ToString()).ToList();

    public int Count(string appId, string contains) => Text(appId).Count(l => l.Contains(contains, StringComparison.Ordinal));
}
