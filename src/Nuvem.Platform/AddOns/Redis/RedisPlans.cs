namespace Nuvem.Platform.AddOns.Redis;

/// <summary>What a plan allows: the server's <c>maxmemory</c> and <c>maxclients</c>.</summary>
public sealed record RedisPlanLimits(string Plan, long MaxMemoryBytes, int MaxClients);

/// <summary>
/// Heroku Data for Redis' plans, mapped to limits of ours: mini (the default, 25 MB, 20 connections), premium-0
/// (50 MB, 40), premium-1 (100 MB, 80). Every plan evicts nothing (<c>noeviction</c>, Heroku's default policy): a full
/// store refuses writes rather than losing keys.
/// </summary>
public static class RedisPlans
{
    public const string Service = "heroku-redis";
    public const string EvictionPolicy = "noeviction";
    private const long MB = 1024L * 1024;

    public static readonly IReadOnlyList<RedisPlanLimits> Limits =
    [
        new("mini", 25 * MB, 20),
        new("premium-0", 50 * MB, 40),
        new("premium-1", 100 * MB, 80),
    ];

    public static readonly AddOnServiceSpec Spec = new(
        Service: Service,
        HumanName: "Heroku Data for Redis",
        NamePrefix: "redis",
        ConfigVarPrefix: "REDIS",
        PrimaryAttachment: "REDIS",
        ColourAliases: false,
        Plans:
        [
            Plan("mini", "Mini", true, 300),
            Plan("premium-0", "Premium 0", false, 1500),
            Plan("premium-1", "Premium 1", false, 3000),
        ]);

    private static AddOnPlanSpec Plan(string name, string human, bool isDefault, int cents)
    {
        var limits = For(name);
        return new AddOnPlanSpec(name, human, $"{limits.MaxMemoryBytes / MB} MB, {limits.MaxClients} connections", isDefault, cents);
    }

    /// <exception cref="PlatformException">Not a plan of the service.</exception>
    public static RedisPlanLimits For(string plan) =>
        Limits.FirstOrDefault(l => l.Plan == plan)
        ?? throw PlatformException.Invalid($"Unknown plan {Service}:{plan}. Plans: {string.Join(", ", Limits.Select(l => l.Plan))}.");
}
