using Nuvem.Platform.Formation;
using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>Everything needed to start one dyno of a release.</summary>
/// <param name="Slug">What it runs, by id: the runtime gets the tarball through <see cref="ISlugBlobs"/>.</param>
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
    SlugReference Slug,
    DynoSize Size,
    IReadOnlyDictionary<string, string> ConfigVars);

/// <summary>
/// Where a dyno's output goes: <see cref="App"/> gets each line the app writes (stdout and stderr), <see cref="Platform"/>
/// the runtime's own notices about it (Heroku's <c>heroku[web.1]</c> lines: R14, R15).
/// </summary>
/// <param name="Stored">Completes once the lines passed so far are stored durably: a runtime that can replay output
/// (a container's log file) moves its read position on only then, so a platform crash loses no line.</param>
/// <param name="TimedApp">App lines with the time the dyno wrote them, for a runtime that knows it (and reads them
/// later, e.g. after a platform restart); others use <see cref="App"/>.</param>
public sealed record DynoOutput(Func<string, Task> App, Action<string> Platform, Func<Task>? Stored = null,
    Func<string, DateTimeOffset, Task>? TimedApp = null)
{
    /// <summary>App lines to <paramref name="app"/>, notices as app lines too (a release phase's output, say).</summary>
    public static DynoOutput Lines(Func<string, Task> app) => new(app, notice => _ = app(notice));
}

/// <summary>A dyno that a previous platform process started and that is still running, taken over by this one.</summary>
public sealed record AdoptedDyno(DynoSpec Spec, IDynoProcess Process, DateTimeOffset StartedAt);

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
/// How dynos run: isolated containers (<see cref="Containers.ContainerDynoRuntime"/>, the default) or plain processes
/// (<see cref="ProcessDynoRuntime"/>, for machines that cannot isolate), behind one contract the dyno manager uses.
/// </summary>
public interface IDynoRuntime
{
    /// <param name="output">Each line the dyno writes (stdout and stderr), for the app's log, and the runtime's notices.</param>
    Task<IDynoProcess> StartAsync(DynoSpec spec, DynoOutput output, CancellationToken cancellation);

    /// <summary>Starts a one-off dyno attached to its caller: no log pumping, the caller reads and writes its streams.</summary>
    /// <param name="tty">Run under a pseudo-terminal (interactive shells, editors).</param>
    Task<IAttachedDyno> StartAttachedAsync(DynoSpec spec, bool tty, CancellationToken cancellation);

    /// <summary>
    /// Takes over what a previous platform process left: each dyno still running is offered to <paramref name="adopt"/>,
    /// which answers where its output goes from now on, or null to have it stopped. Everything else it left (stopped
    /// dynos, their files, network leases) is cleaned up. Plain processes cannot be re-adopted: they are all stopped.
    /// </summary>
    Task<IReadOnlyList<AdoptedDyno>> RecoverAsync(Func<DynoSpec, DynoOutput?> adopt);

    /// <summary>Releases what the runtime set up on the host for dynos (a bridge, firewall rules) once none runs.</summary>
    Task ShutdownAsync();

    /// <summary>
    /// The app is gone: what the runtime keeps for its next dyno (its current release's unpacked slug) goes too, at
    /// once or when the last of its dynos stops.
    /// </summary>
    void Forget(string appId);
}
