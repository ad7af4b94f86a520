namespace Nuvem.Cli.Output;

/// <summary>
/// Prints failures the way the classic Heroku CLI did: every line of the message behind " ▸    " on stderr.
/// </summary>
public static class ErrorReporter
{
    public const string Marker = " ▸    ";

    public static void Error(string message)
    {
        foreach (var line in message.Split('\n')) Console.Error.WriteLine(Marker + line.TrimEnd('\r'));
    }

    /// <summary>Something went wrong but the command still did its main job.</summary>
    public static void Warning(string message) => Error("Warning: " + message);
}
