using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;

namespace Nuvem.Cli.Commands.Run;

/// <summary>
/// <c>nuvem run -- CMD</c>: a one-off dyno of the current release, attached to this terminal over the rendezvous
/// protocol. Its exit status becomes ours (Heroku needs <c>-x</c> for that; we always do it, the flag is accepted).
/// </summary>
public sealed class RunCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string[]> command = new("COMMAND") { Description = "Command to run (put -- before it)", Arity = ArgumentArity.OneOrMore };
    private readonly Option<string?> size = new("--size", "-s") { Description = "Dyno size, e.g. standard-2x" };
    private readonly Option<string?> env = new("--env", "-e") { Description = "Environment variables, e.g. \"A=1;B=2\"" };
    private readonly Option<bool> exitCode = new("--exit-code", "-x") { Description = "Exit with the command's status (always on)" };
    private readonly Option<bool> detached = new("--detached") { Description = "Run in the background (same as run:detached)" };

    public Command Build()
    {
        var run = new Command("run", "Run a one-off process in a dyno of the app");
        run.Add(command);
        app.AddTo(run);
        run.Add(size);
        run.Add(env);
        run.Add(exitCode);
        run.Add(detached);
        return run.WithAction(async (parse, context, cancellation) =>
        {
            var name = app.Resolve(parse);
            var line = Join(parse.GetValue(command) ?? []);
            var variables = ParseEnv(parse.GetValue(env));
            if (parse.GetValue(detached))
            {
                await RunDetachedCommand.StartAsync(context, name, line, variables, parse.GetValue(size), cancellation);
                return;
            }
            variables["TERM"] = Environment.GetEnvironmentVariable("TERM") ?? "xterm";
            var body = new JsonObject
            {
                ["attach"] = true,
                ["command"] = $"{line}; echo \"{RendezvousClient.ExitStatusPrefix} $?\"",
                ["env"] = ToJson(variables),
                ["force_no_tty"] = true,
            };
            if (parse.GetValue(size) is { } s) body["size"] = s;
            var dyno = await context.Api().PostAsync($"/apps/{Uri.EscapeDataString(name)}/dynos", body, cancellation);
            var attachUrl = dyno?["attach_url"]?.GetValue<string>() ?? throw new CliException("The platform did not return an attach URL.");
            Console.Error.WriteLine($"Running {line} on {name}... up, {dyno?["name"]?.GetValue<string>()}");

            var client = new RendezvousClient(context.Trust());
            var status = await client.RunAsync(attachUrl, Console.OpenStandardInput(), Console.OpenStandardOutput(), cancellation);
            if (status is null) throw new CliException("The run session ended without the command's exit status.");
            if (status != 0) throw new CliException($"Process exited with code {status}", status.Value);
        });
    }

    /// <summary>
    /// Arguments joined as Heroku does: a single argument is the command line itself (<c>run "rake db:migrate &amp;&amp; rake seed"</c>);
    /// of several, those with spaces or quotes are double-quoted.
    /// </summary>
    public static string Join(IReadOnlyList<string> args) =>
        args.Count == 1 ? args[0]
            : string.Join(' ', args.Select(a => a.Length == 0 || a.Any(c => char.IsWhiteSpace(c) || c == '"') ? $"\"{a.Replace("\"", "\\\"")}\"" : a));

    public static Dictionary<string, string> ParseEnv(string? text)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) throw new CliException($"{pair} is invalid. Use -e \"KEY=value;OTHER=value\".");
            variables[pair[..equals]] = pair[(equals + 1)..];
        }
        return variables;
    }

    public static JsonObject ToJson(Dictionary<string, string> variables)
    {
        var json = new JsonObject();
        foreach (var (key, value) in variables) json[key] = value;
        return json;
    }
}
