namespace Nuvem.Platform.Dynos.Scheduling;

/// <summary>A dyno as the local scheduler keeps track of it: touched only on its loop, so it needs no locks.</summary>
internal sealed class ScheduledDyno
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Command { get; init; }
    public required string Size { get; init; }
    public required string ReleaseId { get; init; }
    public required long ReleaseVersion { get; init; }
    public string State { get; set; } = "starting";
    public Runtime.IDynoProcess? Process { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? UpSince { get; set; }
    public int Crashes { get; set; }
    public DateTimeOffset? RestartAt { get; set; }
    /// <summary>Being stopped on purpose: its exit is not a crash.</summary>
    public bool Stopping { get; set; }
    /// <summary>Replaced by a dyno of a newer release (or scaled away): it goes once it has stopped.</summary>
    public bool Retired { get; set; }
    /// <summary>A one-off dyno (<c>run.N</c>): outside the formation, never restarted.</summary>
    public bool OneOff { get; init; }
    /// <summary>Its runtime is creating it (off the loop): it has no process yet, and must not be forgotten.</summary>
    public bool Launching { get; set; }

    /// <summary>The index in its name (<c>web.3</c> → 3); one that has none sorts after every wanted index.</summary>
    public int Index => int.TryParse(Name[(Name.LastIndexOf('.') + 1)..], out var i) ? i : int.MaxValue;

    public Dyno View() => new()
    {
        Id = Id, AppId = AppId, Name = Name, Type = Type, Command = Command, State = State, Size = Size,
        ReleaseId = ReleaseId, ReleaseVersion = ReleaseVersion, CreatedAt = StartedAt, UpdatedAt = UpdatedAt,
        Address = Process?.Address,
    };
}
