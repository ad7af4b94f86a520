namespace Nuvem.Platform.Logplex;

/// <summary>
/// The lines the platform API writes into an app's log as <c>app[api]</c>, in Heroku's words:
/// <c>Set FOO config vars by user a@b.c</c>, <c>Release v3 created by user a@b.c</c>,
/// <c>Scaled to web@2:Basic by user a@b.c</c>, <c>Build started by user a@b.c</c>, <c>Build succeeded</c>.
/// </summary>
public static class PlatformEvents
{
    public const string Source = "app";
    public const string Dyno = "api";

    public static void Api(this ILogplex logplex, string appId, string message) => logplex.Publish(appId, Source, Dyno, message);

    /// <summary><c> by user EMAIL</c>, or nothing when the user is unknown (deleted since).</summary>
    public static string By(string? email) => string.IsNullOrEmpty(email) ? "" : $" by user {email}";

    /// <summary>A new release: what it did ("Deploy 1a2b3c4", "Set FOO config vars", "Rollback to v2"), then Heroku's
    /// "Release vN created" line.</summary>
    public static void ReleaseCreated(this ILogplex logplex, string appId, long version, string description, string? email)
    {
        logplex.Api(appId, description + By(email));
        logplex.Api(appId, $"Release v{version} created{By(email)}");
    }
}
