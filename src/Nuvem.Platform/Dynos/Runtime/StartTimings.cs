using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>
/// Opt-in timings of one dyno start (<c>NUVEM_DYNO_TIMINGS=1</c>): each step's duration in ms, written as one line to
/// stderr when the start is done, for finding where a start's time goes (<c>bench/run.sh dynos</c> reads these lines).
/// Steps that run concurrently are each timed on their own; <c>total</c> is the wall time of the whole start.
/// </summary>
public sealed class StartTimings
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("NUVEM_DYNO_TIMINGS") == "1";

    private static readonly AsyncLocal<StartTimings?> Ambient = new();

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(string Step, double Ms)> _steps = [];

    /// <summary>The start being timed on this flow of execution (so that a network can time its own steps), or null.</summary>
    public static StartTimings? Current => Ambient.Value;

    /// <summary>A new timing, made current for this flow; null when timings are off.</summary>
    public static StartTimings? Begin()
    {
        if (!Enabled) return null;
        var timings = new StartTimings();
        Ambient.Value = timings;
        return timings;
    }

    /// <summary>A stopwatch for one step: <c>using (timings?.Step("x")) { … }</c>.</summary>
    public Scope Step(string name) => new(this, name);

    public void Add(string name, double ms)
    {
        lock (_steps) _steps.Add((name, ms));
    }

    public void Report(string what)
    {
        var line = new StringBuilder($"{what} start ms:");
        lock (_steps)
            foreach (var (step, ms) in _steps) line.Append(CultureInfo.InvariantCulture, $" {step}={ms:F1}");
        line.Append(CultureInfo.InvariantCulture, $" total={_clock.Elapsed.TotalMilliseconds:F1}");
        Console.Error.WriteLine(line.ToString());
    }

    public readonly struct Scope(StartTimings timings, string name) : IDisposable
    {
        private readonly long _started = Stopwatch.GetTimestamp();

        public void Dispose() => timings.Add(name, Stopwatch.GetElapsedTime(_started).TotalMilliseconds);
    }
}
