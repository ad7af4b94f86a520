namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>What a plan allows: enforced by the cluster (connections) and the size watch (bytes).</summary>
public sealed record PostgresPlanLimits(string Plan, int Connections, long MaxBytes);

/// <summary>
/// Heroku Postgres' plans, mapped to limits of ours. Heroku's own numbers differ a little by tier (essential-1 keeps
/// 20 connections there); ours grow with the plan so that a plan change visibly changes the limit.
/// </summary>
public static class PostgresPlans
{
    public const string Service = "heroku-postgresql";
    private const long GB = 1024L * 1024 * 1024;

    public static readonly IReadOnlyList<PostgresPlanLimits> Limits =
    [
        new("essential-0", 20, 1 * GB),
        new("essential-1", 40, 10 * GB),
        new("essential-2", 60, 32 * GB),
        new("standard-0", 120, 64 * GB),
    ];

    public static readonly AddOnServiceSpec Spec = new(
        Service: Service,
        HumanName: "Heroku Postgres",
        NamePrefix: "postgresql",
        ConfigVarPrefix: "HEROKU_POSTGRESQL",
        PrimaryAttachment: "DATABASE",
        ColourAliases: true,
        Plans:
        [
            Plan("essential-0", "Essential 0", true, 500),
            Plan("essential-1", "Essential 1", false, 900),
            Plan("essential-2", "Essential 2", false, 2000),
            Plan("standard-0", "Standard 0", false, 5000),
        ]);

    private static AddOnPlanSpec Plan(string name, string human, bool isDefault, int cents)
    {
        var limits = For(name);
        return new AddOnPlanSpec(name, human, $"{limits.Connections} connections, {limits.MaxBytes / GB} GB of data", isDefault, cents);
    }

    /// <exception cref="PlatformException">Not a plan of the service.</exception>
    public static PostgresPlanLimits For(string plan) =>
        Limits.FirstOrDefault(l => l.Plan == plan)
        ?? throw PlatformException.Invalid($"Unknown plan {Service}:{plan}. Plans: {string.Join(", ", Limits.Select(l => l.Plan))}.");
}
