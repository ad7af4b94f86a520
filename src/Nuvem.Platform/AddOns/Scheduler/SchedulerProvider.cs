namespace Nuvem.Platform.AddOns.Scheduler;

/// <summary>
/// Heroku Scheduler (<c>scheduler:standard</c>, free): the add-on only switches the app's jobs on; it makes no resource
/// and exports no config vars (its attach release carries none); removing the app's last one removes its jobs. The jobs live in <see cref="JobStore"/>, ticks run
/// through the platform's scheduler loop.
/// </summary>
public sealed class SchedulerProvider(JobStore jobs, AddOnStore addOns) : IAddOnProvider
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
        Task.FromResult(new ProvisionResult(request.AppId, new Dictionary<string, string>(), null));

    public Task<IReadOnlyDictionary<string, string>?> ChangePlanAsync(string providerId, string plan, CancellationToken cancellation) =>
        Task.FromResult<IReadOnlyDictionary<string, string>?>(null);

    /// <summary>The provider id is the owning app's id: its jobs go with its last scheduler add-on (as on Heroku).</summary>
    public Task DeprovisionAsync(string providerId, CancellationToken cancellation)
    {
        if (!addOns.OwnedBy(providerId).Any(a => a.Service == Service && a.State == AddOnStates.Provisioned)) jobs.DeleteForApp(providerId);
        return Task.CompletedTask;
    }
}
