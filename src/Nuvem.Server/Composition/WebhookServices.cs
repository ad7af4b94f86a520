using Nuvem.Platform.Events;
using Nuvem.Platform.Webhooks;

namespace Nuvem.Server.Composition;

/// <summary>App webhooks: the store, the rules, and the dispatcher, which listens to the operations' app events and
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
