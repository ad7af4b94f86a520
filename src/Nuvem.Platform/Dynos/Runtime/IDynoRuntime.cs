using Nuvem.Platform.Formation;

namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>Everything needed to start one dyno of a release.</summary>
public sealed record DynoSpec(
    string Id,
    string AppId,
    string AppName,
    int Uid,
    string Name,
    string Type,
    string Command,
    string ReleaseId,
    long ReleaseVersion,
    string SlugPath,
    DynoSize Size,
    IReadOnlyDictionary<string, string> ConfigVars);

/// <summary>A started dyno, as its runtime sees it.</summary>
public interface IDynoProcess
{
    /// <summary>Where a web dyno listens (<c>$PORT</c>), for the router; null for other types.</summary>
    Uri? Address { get; }

    /// <summary>Completes with the exit status when the dyno's main process ends (143 after SIGTERM).</summary>
    Task<int> Exited { get; }

    /// <summary>SIGTERM to every process of the dyno, SIGKILL after <paramref name="grace"/>.</summary>
    /// <returns>true when the dyno had to be killed (Heroku's R12).</returns>
    Task<bool> StopAsync(TimeSpan grace);

    /// <summary>Whether something listens on <see cref="Address"/> yet (a web dyno is up only then).</summary>
    Task<bool> AcceptsConnectionsAsync(CancellationToken cancellation);
}

/// <summary>A one-off dyno whose input and output belong to the person who runs it (<c>nuvem run</c>).</summary>
public interface IAttachedDyno : IDynoProcess
{
    /// <summary>The dyno's stdin. Closing it is end of input.</summary>
    Stream Input { get; }

    /// <summary>Its stdout and stderr, in order, as raw bytes.</summary>
    Stream Output { get; }
}

/// <summary>
/// How dynos run: plain processes here; isolated containers later, behind this same contract, without the
/// dyno manager changing.
/// </summary>
public interface IDynoRuntime
{
    /// <param name="output">Each line the dyno writes (stdout and stderr), for the app's log.</param>
    Task<IDynoProcess> StartAsync(DynoSpec spec, Func<string, Task> output, CancellationToken cancellation);

    /// <summary>Starts a one-off dyno attached to its caller: no log pumping, the caller reads and writes its streams.</summary>
    /// <param name="tty">Run under a pseudo-terminal (interactive shells, editors).</param>
    Task<IAttachedDyno> StartAttachedAsync(DynoSpec spec, bool tty, CancellationToken cancellation);

    /// <summary>Stops what a previous platform process left running (plain processes cannot be re-adopted).</summary>
    Task CleanUpLeftoversAsync();
}
