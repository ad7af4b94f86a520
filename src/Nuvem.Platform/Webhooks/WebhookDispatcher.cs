using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Events;
using Nuvem.Platform.Releases;

namespace Nuvem.Platform.Webhooks;

/// <summary>
/// Turns app events into webhook events and deliveries (recorded first, so they are visible and survive a restart),
/// then sends each delivery on its own background task: an unreachable or slow URL (10 s timeout) only delays its own
/// retries (and, past
/// <see cref="AttemptsInFlightPerApp"/>, its app's other deliveries), never the request that made the event nor another
/// app's deliveries.
/// </summary>
public sealed class WebhookDispatcher(WebhookStore store, RetrySchedule schedule) : IAppEvents, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };
    private readonly CancellationTokenSource _stopping = new();
    /// <summary>At most this many attempts of one app are in flight at once: an app that makes many events for a slow
    /// URL waits on its own deliveries, never on another app's.</summary>
    public const int AttemptsInFlightPerApp = 4;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _perApp = new();

    public void ReleaseMade(App app, Release release, bool deploy) =>
        Publish(app.Id, "api:release", "release", "create", WebhookPayload.Release(release), release.UserId, release.UserEmail);

    public void ReleaseUpdated(App app, Release release) =>
        Publish(app.Id, "api:release", "release", "update", WebhookPayload.Release(release), release.UserId, release.UserEmail);

    public void BuildChanged(App app, Build build, bool created) =>
        Publish(app.Id, "api:build", "build", created ? "create" : "update", WebhookPayload.Build(build, app), build.UserId, build.UserEmail);

    /// <summary>Records the event for every webhook of the app that includes <paramref name="include"/> and sends it.</summary>
    public void Publish(string appId, string include, string resource, string action, JsonObject data, string? actorId, string? actorEmail)
    {
        var hooks = store.List(appId).Where(h => h.Include.Contains(include)).ToList();
        if (hooks.Count == 0) return;
        var now = DateTimeOffset.UtcNow;
        var eventId = Guid.NewGuid().ToString();
        var payload = WebhookPayload.Body(eventId, resource, action, data, actorId, actorEmail, now).ToJsonString();
        var deliveries = hooks.Select(h => new WebhookDelivery
        {
            Id = Guid.NewGuid().ToString(), AppId = appId, WebhookId = h.Id, EventId = eventId, Status = DeliveryStatus.Pending,
            NextAttemptAt = now, CreatedAt = now, UpdatedAt = now,
        }).ToList();
        store.InsertEvent(new WebhookEvent { Id = eventId, AppId = appId, Include = include, PayloadJson = payload, CreatedAt = now }, deliveries);
        foreach (var delivery in deliveries) Start(delivery.Id, delivery.AppId, 0);
    }

    /// <summary>At start-up: deliveries a stopped platform left unfinished are sent again.</summary>
    public void ResumeUnfinished()
    {
        foreach (var delivery in store.Unfinished()) Start(delivery.Id, delivery.AppId, (int)delivery.NumAttempts);
    }

    private void Start(string deliveryId, string appId, int attemptsMade) =>
        _ = Task.Run(() => DeliverAsync(deliveryId, appId, attemptsMade, _stopping.Token));

    private async Task DeliverAsync(string deliveryId, string appId, int attemptsMade, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (store.FindDelivery(appId, deliveryId) is not { } delivery || store.Find(appId, delivery.WebhookId) is not { } hook
                    || store.FindEvent(appId, delivery.EventId) is not { } e)
                    return; // the webhook or app was removed meanwhile
                var gate = _perApp.GetOrAdd(appId, _ => new SemaphoreSlim(AttemptsInFlightPerApp));
                await gate.WaitAsync(stop);
                (long? Code, string? Error) outcome;
                try { outcome = await AttemptAsync(hook, delivery, e, stop); }
                finally { gate.Release(); }
                var (code, error) = outcome;
                attemptsMade++;
                var succeeded = code is >= 200 and < 300;
                var delay = succeeded ? null : schedule.NextDelay(hook.Level, attemptsMade);
                var status = succeeded ? DeliveryStatus.Succeeded : delay is null ? DeliveryStatus.Failed : DeliveryStatus.Retrying;
                store.RecordAttempt(deliveryId, status, attemptsMade, code, error, delay is null ? null : DateTimeOffset.UtcNow + delay);
                if (delay is null) return;
                await Task.Delay(delay.Value, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (Exception ex) { Console.Error.WriteLine($"nuvemd: webhook delivery {deliveryId}: {ex.GetType().Name}: {ex.Message}"); }
    }

    private async Task<(long? Code, string? Error)> AttemptAsync(Webhook hook, WebhookDelivery delivery, WebhookEvent e, CancellationToken stop)
    {
        var body = Encoding.UTF8.GetBytes(e.PayloadJson);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Heroku-Webhook-Id", delivery.Id);
        request.Headers.TryAddWithoutValidation("Heroku-Webhook-Event-Id", e.Id);
        if (hook.Secret is { } secret) request.Headers.TryAddWithoutValidation("Heroku-Webhook-Hmac-SHA256", WebhookPayload.Signature(body, secret));
        if (hook.AuthorizationHeader is { } authorization) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Headers.UserAgent.ParseAdd("Nuvem-Webhooks/1");
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
            return ((long)response.StatusCode, null);
        }
        catch (HttpRequestException ex) { return (null, ex.HttpRequestError.ToString()); }
        catch (TaskCanceledException) when (!stop.IsCancellationRequested) { return (null, "Timeout"); }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _http.Dispose();
    }
}
