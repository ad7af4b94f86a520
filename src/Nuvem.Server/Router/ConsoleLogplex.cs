using Nuvem.Platform.Logplex;

namespace Nuvem.Server.Router;

/// <summary>
/// Stand-in until the log stream exists: router lines go to nuvemd's own log as <c>APP_ID heroku[router]: …</c>.
/// Registered only when no real <see cref="ILogplex"/> is (TryAdd), so the real one replaces it without edits here.
/// </summary>
public sealed class ConsoleLogplex(ILogger<ConsoleLogplex> logger) : ILogplex
{
    public void Publish(string appId, string source, string dyno, string message) =>
        logger.LogInformation("{AppId} {Source}[{Dyno}]: {Message}", appId, source, dyno, message);
}
