using Nuvem.Platform.Logplex;

namespace Nuvem.Server.Dynos;

/// <summary>Until the log stream lands: app log lines go to the platform's own output.</summary>
public sealed class ConsoleLogplex : ILogplex
{
    public void Publish(string appId, string source, string dyno, string message) =>
        Console.WriteLine($"{DateTimeOffset.UtcNow:O} [{appId[..8]}] {source}[{dyno}]: {message}");
}
