namespace Nuvem.Platform.AddOns.Scheduler;

/// <summary>
/// Heroku Scheduler (<c>scheduler:standard</c>, free): the add-on only switches the app's jobs on; it makes no resource
/// and exports no config vars (its attach release carries none). The jobs live in <see cref="JobStore"/>, ticks run
/// through the platform's scheduler loop.
/// </summary>
public sealed class SchedulerProvider : IAddOnProvider
{
    public const string Service = "scheduler";

    public AddOnServiceSpec Spec { get; } = new(
        Service: Service,
        HumanName: "Heroku Scheduler",
        NamePrefix: "scheduler",
        ConfigVarPrefix: "SCHEDULER",
        PrimaryAttachment: null,
        ColourAliases: false,
        Plans: [new AddOnPlanSpec("standard", "Standard", "Runs jobs every 10 minutes, hourly, daily or on any cron schedule", true, 0)]);

    public Task<ProvisionResult> ProvisionAsync(ProvisionRequest request, CancellationToken cancellation) =>
        Task.FromResult(new ProvisionResult($"scheduler-{request.AddOnId}", new Dictionary<string, string>(), null));

    public Task<IReadOnlyDictionary<string, string>?> ChangePlanAsync(string providerId, string plan, CancellationToken cancellation) =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(null);

    /// <summary>Nothing to remove: an app's jobs stay, and run only while the app has a scheduler add-on.</summary>
    public Task DeprovisionAsync(string providerId, CancellationToken cancellation) => Task.CompletedTask;
}
