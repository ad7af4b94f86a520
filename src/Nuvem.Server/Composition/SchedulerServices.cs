using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.Scheduler;
using Nuvem.Platform.Operations;
using Nuvem.Server.AddOns;

namespace Nuvem.Server.Composition;

/// <summary>Heroku Scheduler: the <c>scheduler</c> add-on, its jobs and the loop that runs their ticks.</summary>
internal static class SchedulerServices
{
    public static IServiceCollection AddNuvemScheduler(this IServiceCollection services)
    {
        services.AddSingleton<IAddOnProvider, SchedulerProvider>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<ScheduledJobs>();
        services.AddSingleton<RunScheduledJobs>();
        services.AddHostedService<ScheduledJobLoop>();
        return services;
    }
}
