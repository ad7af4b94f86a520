using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.DeployHooks;
using Nuvem.Platform.Events;
using Nuvem.Platform.Webhooks;

namespace Nuvem.Server.Composition;

/// <summary>App webhooks and Deploy Hooks: the store, the rules, and the dispatcher, which listens to the operations' app events and
/// resumes at start-up the deliveries a stopped platform left unfinished.</summary>
internal static class WebhookServices
{
    public static IServiceCollection AddNuvemWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookService>();
        services.AddSingleton(RetrySchedule.Default);
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<IAppEvents>(provider => provider.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService<WebhookResumer>();
        // Deploy Hooks: an add-on provider, and a listener of the same app events.
        services.AddSingleton<IAddOnProvider, DeployHooksProvider>();
        services.AddSingleton<DeployHookSender>();
        services.AddSingleton<IAppEvents>(provider => provider.GetRequiredService<DeployHookSender>());
        return services;
    }

    private sealed class WebhookResumer(WebhookDispatcher dispatcher) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            dispatcher.ResumeUnfinished();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
