using Nuvem.Platform.AddOns;
using Nuvem.Platform.AddOns.DeployHooks;
using Nuvem.Platform.Apps;
using Nuvem.Platform.Events;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Releases;
using Nuvem.Platform.Slugs;
using Nuvem.Platform.State;

namespace Nuvem.Platform.Webhooks;

/// <summary>
/// The Deploy Hooks add-on's deliveries (the provider, in AddOns/DeployHooks, only checks the URL; this listener sits
/// up here with the webhooks so that AddOns stays below Releases). On each deploy (a release of a new slug) of an app with <c>deployhooks:http</c> add-ons, POSTs Heroku's form
/// (<see cref="Form"/>) to each add-on's URL on a background task (10 s timeout, one attempt, as Heroku), and writes
/// the outcome to the app's log as <c>heroku[deployhooks]</c>.
/// </summary>
public sealed class DeployHookSender(Database database, AddOnStore addOns, PlatformSettings settings, ILogplex logplex) : IAppEvents, IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public void ReleaseMade(App app, Release release, bool deploy)
    {
        if (!deploy) return;
        var hooks = addOns.OwnedBy(app.Id).Where(a => a.Service == DeployHooksProvider.Service && a.State == AddOnStates.Provisioned).ToList();
        if (hooks.Count == 0) return;
        var slugs = new SlugStore(database);
        var slug = release.SlugId is null ? null : slugs.Get(app.Id, release.SlugId);
        var previous = new ReleaseStore(database).List(app.Id)
            .Where(r => r.Version < release.Version && r.SlugId is not null && r.SlugId != release.SlugId)
            .OrderByDescending(r => r.Version).FirstOrDefault();
        var prevCommit = previous is null ? null : slugs.Get(app.Id, previous.SlugId!)?.Commit;
        var form = Form(app.Name, app.Id, release.UserEmail ?? "", settings.WebUrl(app.Name), slug?.Commit, prevCommit,
            slug?.CommitDescription, release.UserEmail, release.Version);
        foreach (var hook in hooks)
        {
            var url = addOns.OptionsOf(hook.Id).GetValueOrDefault("url");
            if (url is null) continue;
            _ = Task.Run(() => PostAsync(app.Id, new Uri(url), form));
        }
    }

    /// <summary>Heroku's deploy hook fields (deploy-hooks#http-post-hook), in its order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Form(string app, string appId, string user, string url, string? headLong,
        string? prevHeadLong, string? commitDescription, string? author, long version)
    {
        var head = headLong is null ? "" : headLong[..Math.Min(7, headLong.Length)];
        var gitLog = headLong is null ? "" : $"  * {author ?? user}: {commitDescription ?? head}";
        return
        [
            new("app", app), new("user", user), new("url", url), new("head", head), new("head_long", headLong ?? ""),
            new("prev_head", prevHeadLong ?? ""), new("git_log", gitLog), new("release", $"v{version}"), new("app_uuid", appId),
        ];
    }

    private async Task PostAsync(string appId, Uri url, IReadOnlyList<KeyValuePair<string, string>> form)
    {
        var shown = DeployHooksProvider.Redacted(url);
        try
        {
            using var response = await _http.PostAsync(url, new FormUrlEncodedContent(form));
            logplex.Publish(appId, "heroku", "deployhooks", response.IsSuccessStatusCode
                ? $"Notified {shown} of the deploy"
                : $"Deploy hook to {shown} failed: HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            logplex.Publish(appId, "heroku", "deployhooks", $"Deploy hook to {shown} failed: {(e is TaskCanceledException ? "timed out" : "could not connect")}");
        }
    }

    public void Dispose() => _http.Dispose();
}
