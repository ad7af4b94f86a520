using Nuvem.Platform.Apps;
using Nuvem.Platform.Builds;
using Nuvem.Platform.Releases;

namespace Nuvem.Platform.Events;

/// <summary>
/// What the operations and the builder tell about an app as it happens (a release made or finished, a build started
/// or finished), for whoever listens: app webhooks, deploy hooks. A listener never blocks or fails the caller: it
/// records and queues, and its deliveries happen in the background.
/// </summary>
public interface IAppEvents
{
    /// <param name="deploy">The release runs a new slug from a build or <c>POST /releases {"slug"}</c> (a deploy, not a
    /// config change or rollback).</param>
    void ReleaseMade(App app, Release release, bool deploy);

    /// <summary>A pending release's release phase finished: it is now succeeded or failed.</summary>
    void ReleaseUpdated(App app, Release release) { }

    /// <param name="created">The build was just started (pending); otherwise it finished.</param>
    void BuildChanged(App app, Build build, bool created) { }
}

/// <summary>Every registered listener, each told in turn; one that throws does not stop the others or the caller.</summary>
public static class AppEventsExtensions
{
    public static void ReleaseMade(this IEnumerable<IAppEvents> listeners, App app, Release release, bool deploy) =>
        Each(listeners, l => l.ReleaseMade(app, release, deploy));

    public static void ReleaseUpdated(this IEnumerable<IAppEvents> listeners, App app, Release release) =>
        Each(listeners, l => l.ReleaseUpdated(app, release));

    public static void BuildChanged(this IEnumerable<IAppEvents> listeners, App app, Build build, bool created) =>
        Each(listeners, l => l.BuildChanged(app, build, created));

    private static void Each(IEnumerable<IAppEvents> listeners, Action<IAppEvents> tell)
    {
        foreach (var listener in listeners)
        {
            try { tell(listener); }
            catch (Exception e) { Console.Error.WriteLine($"nuvemd: an app event listener failed: {e.GetType().Name}: {e.Message}"); }
        }
    }
}
