using Microsoft.Extensions.Time.Testing;
using Nuvem.Platform;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos;
using Nuvem.Platform.Dynos.Scheduling;

namespace Nuvem.UnitTests.Dynos;

/// <summary>
/// A local scheduler on fakes: a fake runtime, a fake clock (time moves only when the test says), a recording log
/// and a desired state the test sets. Its loop runs for real; a pass happens on every message, so the test asks for
/// one (<see cref="PassAsync"/>) and waits for what follows off the loop (<see cref="Until"/>).
/// </summary>
public sealed class SchedulerHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    public FakeDynoRuntime Runtime { get; }
    public RecordingLogplex Logs { get; } = new();
    public FakeDesiredState Desired { get; } = new();
    public DynoSettings Timings { get; }
    public LocalScheduler Scheduler { get; }
    /// <summary>Hosts the router resolves: <c>APP_ID.example</c> for each app id.</summary>
    public Func<string, string?> Hosts { get; set; } = host => host.EndsWith(".example", StringComparison.Ordinal) ? host[..^".example".Length] : null;

    public SchedulerHarness(DynoSettings? timings = null, Action<FakeDynoRuntime>? prepare = null)
    {
        Runtime = new FakeDynoRuntime(Clock);
        prepare?.Invoke(Runtime);
        Timings = timings ?? new DynoSettings { WebDrain = TimeSpan.Zero };
        Scheduler = new LocalScheduler(Desired, new PlatformSettings(), Timings, Runtime, Logs, host => Hosts(host), Clock);
        _loop = Task.Run(() => Scheduler.RunAsync(_stop.Token));
    }

    public static App App(string id) => new()
    {
        Id = id, Name = "app-" + id, OwnerId = "owner", OwnerEmail = "owner@example.com", Region = "local", Stack = "heroku-24", Uid = 10_000,
    };

    /// <summary>One reconcile pass, done before this returns.</summary>
    public Task PassAsync(string appId = "a") => Scheduler.ApplyNowAsync(appId);

    /// <summary>Passes until <paramref name="condition"/> holds (launches and exits are messages that come back to the
    /// loop); fails after a few seconds of real time.</summary>
    public async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for {what}. Log:\n{string.Join("\n", Logs.Text("a"))}");
            await PassAsync();
            await Task.Delay(2);
        }
    }

    public IReadOnlyList<Dyno> List(string appId = "a") => Scheduler.List(App(appId));

    public string[] Names(string appId = "a") => List(appId).Select(d => d.Name).ToArray();

    public string? StateOf(string name, string appId = "a") => List(appId).FirstOrDefault(d => d.Name == name)?.State;

    /// <summary>Waits until the app's dynos are exactly <paramref name="names"/>, all up.</summary>
    public Task UntilUp(string appId, params string[] names) =>
        Until(() => List(appId) is var dynos && dynos.Select(d => d.Name).SequenceEqual(names) && dynos.All(d => d.State == "up"),
            $"{string.Join(", ", names)} up");

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
