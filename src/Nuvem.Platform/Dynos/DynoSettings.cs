namespace Nuvem.Platform.Dynos;

/// <summary>Heroku's timings, configurable for tests and operators.</summary>
public sealed record DynoSettings
{
    /// <summary>A web dyno must accept connections on $PORT within this time of launch (else R10).</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time between SIGTERM and SIGKILL when a dyno stops (else R12).</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a web dyno taken out of the router keeps running before SIGTERM, so in-flight requests finish.</summary>
    public TimeSpan WebDrain { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often desired and running dynos are compared even when nothing asked for it.</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Longest cool-off between restarts of a dyno that keeps crashing.</summary>
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>A dyno up this long is considered healthy again: its crash count starts over.</summary>
    public TimeSpan HealthyAfter { get; init; } = TimeSpan.FromMinutes(10);
}
