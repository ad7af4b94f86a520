using Nuvem.Platform.Apps;
using Nuvem.Platform.Releases;

namespace Nuvem.Platform.Events;

/// <summary>
/// What the operations tell about an app as it happens (a release made, a build finished), for whoever listens:
/// app webhooks, deploy hooks. A listener never blocks or fails the operation: it records and queues, and its
/// deliveries happen in the background.
/// </summary>
public interface IAppEvents
{
    /// <param name="deploy">The release runs a new slug from a build or <c>POST /releases {"slug"}</c> (a deploy, not a
    /// config change or rollback); its commit, when known, is the slug's.</param>
    void ReleaseMade(App app, Release release, bool deploy);
}

/// <summary>Every registered listener, each told in turn; one that throws does not stop the others or the operation.</summary>
public static class AppEventsExtensions
{
    public static void ReleaseMade(this IEnumerable<IAppEvents> listeners, App app, Release release, bool deploy)
    {
        foreach (var listener in listeners)
        {
            try { listener.ReleaseMade(app, release, deploy); }
            catch (Exception e) { Console.Error.WriteLine($"nuvemd: an app event listener failed: {e.GetType().Name}: {e.Message}"); }
        }
    }
}
