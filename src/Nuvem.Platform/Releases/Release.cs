namespace Nuvem.Platform.Releases;

public static class ReleaseStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>
/// An immutable, numbered snapshot of what an app runs: a slug (code) plus config vars.
/// Every deploy, config change and rollback appends one; the current release is the newest that succeeded.
/// </summary>
public sealed record Release
{
    public required string Id { get; init; }
    public required string AppId { get; init; }
    public required string AppName { get; init; }
    public required long Version { get; init; }
    public required string Description { get; init; }
    public required string Status { get; init; }
    public string? UserId { get; init; }
    public string? UserEmail { get; init; }
    public string? SlugId { get; init; }
    /// <summary>The config vars as stored; parsed only when asked for, since release lists never show them.</summary>
    internal string ConfigJson { get; init; } = "{}";
    private IReadOnlyDictionary<string, string>? _configVars;
    public IReadOnlyDictionary<string, string> ConfigVars => _configVars ??= Nuvem.Platform.ConfigVars.ConfigVarsJson.Deserialize(ConfigJson);
    public bool Current { get; init; }
    /// <summary>The add-on plans attached to the app when the release was made (<c>heroku-postgresql:essential-0</c>).</summary>
    public IReadOnlyList<string> AddonPlanNames { get; init; } = [];
    /// <summary>Where the release phase's output is stored; null when the release had no release phase.</summary>
    public string? OutputPath { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>A release can be rolled back to when it succeeded; Heroku's CLI picks targets by this.</summary>
    public bool EligibleForRollback => Status == ReleaseStatus.Succeeded;
}
