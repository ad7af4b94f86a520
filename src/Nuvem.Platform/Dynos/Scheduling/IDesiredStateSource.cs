using Nuvem.Platform.Formation;
using Nuvem.Platform.Slugs;

namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>A process type of the formation that should run: <paramref name="Quantity"/> dynos of <paramref name="Size"/>.</summary>
public sealed record DesiredProcess(string Type, int Quantity, string Command, DynoSize Size);

/// <summary>
/// What should run for one app: its current release's slug and config vars, and the process types its formation
/// wants (quantities above zero). An app without a runnable release has no <see cref="Slug"/> and wants nothing.
/// </summary>
public sealed record DesiredApp(string AppId, string AppName, int Uid, bool Maintenance, string? ReleaseId, long ReleaseVersion,
    SlugReference? Slug, IReadOnlyDictionary<string, string> ConfigVars, IReadOnlyList<DesiredProcess> Processes)
{
    /// <summary>An app with nothing to run yet (no release), or whose wishes are unknown.</summary>
    public static DesiredApp Idle(string appId, string appName, int uid, bool maintenance) =>
        new(appId, appName, uid, maintenance, null, 0, null, new Dictionary<string, string>(), []);
}

/// <summary>An app whose desired state cannot be read now (a slug gone from the store, unreadable config vars), and why.</summary>
public sealed record BrokenApp(string AppId, string AppName, int Uid, bool Maintenance, string Problem);

/// <summary>Every app, each either with what it wants or broken.</summary>
public sealed record DesiredState(IReadOnlyList<DesiredApp> Apps, IReadOnlyList<BrokenApp> Broken);

/// <summary>
/// The scheduler's input: what should run, read afresh on every pass. The platform's database locally
/// (<see cref="DesiredStateStore"/>); a fake in unit tests.
/// </summary>
public interface IDesiredStateSource
{
    DesiredState Read();
}
