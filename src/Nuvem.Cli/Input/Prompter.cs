using System.Text;

namespace Nuvem.Cli.Input;

/// <summary>
/// Asks for email and password. Prompts go to stderr so stdout stays clean for scripts. When stdin is not a
/// terminal (piped input, tests) lines are read without prompting, one answer per line, in the order asked.
/// </summary>
public sealed class Prompter
{
    public static bool Interactive => !Console.IsInputRedirected;

    public string ReadLine(string prompt)
    {
        if (Interactive) Console.Error.Write(prompt);
        return Console.In.ReadLine()?.Trim() ?? throw NoInput(prompt);
    }

    /// <summary>Reads a secret; on a terminal the typed characters are not echoed.</summary>
    public string ReadSecret(string prompt)
    {
        if (!Interactive)
        {
            // Passwords may legitimately start or end with spaces; only the line ending is stripped.
            return Console.In.ReadLine()?.TrimEnd('\r') ?? throw NoInput(prompt);
        }

        Console.Error.Write(prompt);
        var secret = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (secret.Length > 0) secret.Length--;
                continue;
            }
            if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar)) secret.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return secret.ToString();
    }

    private static CliException NoInput(string prompt) =>
        new($"No input for \"{prompt.Trim().TrimEnd(':')}\" (stdin is closed).");
}
