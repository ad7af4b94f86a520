using Nuvem.Platform.Apps;
using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Dynos;

/// <summary>A one-off dyno to start (<c>nuvem run</c>, <c>heroku run</c>).</summary>
/// <param name="Environment">Variables on top of the release's config vars (the CLI's COLUMNS and LINES, say).</param>
/// <param name="Size">A dyno size's name; null for the default size.</param>
/// <param name="Attach">The caller gets the dyno's streams; otherwise its output goes to the app's log.</param>
/// <param name="Tty">Run under a pseudo-terminal (attached only).</param>
/// <param name="Type">The dyno's type and name prefix: <c>run</c> (<c>run.1234</c>), or <c>scheduler</c> for Heroku
/// Scheduler's jobs (<c>scheduler.1234</c>).</param>
public sealed record OneOffRequest(string Command, IReadOnlyDictionary<string, string> Environment, string? Size, bool Attach, bool Tty,
    string Type = "run");

/// <summary>
/// Where an app's dynos are kept running, at the level of its formation (Dokku's <c>scheduler-*</c>, Nomad's driver): the
/// operations say what changed, the scheduler makes the dynos match the app's current release and formation. The local
/// scheduler runs them on this machine; a Kubernetes one would hand them to a cluster behind the same contract.
/// </summary>
public interface IScheduler
{
    /// <summary>The app's desired dynos changed (a deploy, a scale, a config release): they converge within moments,
    /// without the caller waiting.</summary>
    void Apply(string appId);

    /// <summary>As <see cref="Apply"/>, and returns once the router and dyno lists reflect the change (a new app, a rename,
    /// maintenance on or off): the very next request sees it.</summary>
    Task ApplyNowAsync(string appId);

    /// <summary>The app is gone: its dynos stop before this returns, and whatever was kept for its next dyno goes too.</summary>
    Task ForgetAsync(string appId);

    /// <summary>The app's dynos, formation and one-off, sorted by type and name.</summary>
    IReadOnlyList<Dyno> List(App app);

    /// <summary>Restarts an app's dynos: all, one process type, or one dyno by name.</summary>
    /// <returns>How many were restarted or already on their way to a restart; 0 means no such dyno or type.</returns>
    Task<int> RestartAsync(App app, string? type = null, string? name = null);

    /// <summary>Stops dynos (<c>ps:stop</c>); as the formation still wants them, they come back fresh.</summary>
    Task<int> StopAsync(App app, string? type = null, string? name = null);

    /// <summary>Starts a one-off dyno (<c>run.NNNN</c>) of the current release; it is never restarted.</summary>
    /// <returns>The dyno, and its streams when <see cref="OneOffRequest.Attach"/> asked for them.</returns>
    Task<(Dyno Dyno, IAttachedDyno? Attached)> RunOneOffAsync(App app, OneOffRequest request);
}
