using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Config;

/// <summary><c>nuvem config:set KEY=value…</c>: sets vars (split on the first "=", so values may contain "=").</summary>
public sealed class ConfigSetCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string[]> pairs = new("KEY=VALUE") { Description = "Config vars to set", Arity = ArgumentArity.ZeroOrMore };

    public Command Build()
    {
        var command = new Command("config:set", "Set one or more config vars");
        command.Add(pairs);
        app.AddTo(command);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var arguments = parse.GetValue(pairs) ?? [];
        if (arguments.Length == 0)
            throw new CliException("Usage: nuvem config:set KEY1=VALUE1 [KEY2=VALUE2 ...]\nMust specify KEY and VALUE to set.");

        var changes = new JsonObject();
        var keys = new List<string>();
        foreach (var argument in arguments)
        {
            var equals = argument.IndexOf('=');
            if (equals <= 0) throw new CliException($"{argument} is invalid. Must be in the format KEY=value.");
            var key = argument[..equals];
            if (!keys.Contains(key)) keys.Add(key);
            changes[key] = argument[(equals + 1)..];
        }

        var appName = app.Resolve(parse);
        var (vars, version) = await ConfigChange.ApplyAsync(context.Api(), appName, changes, cancellation);

        context.Out.Line($"Setting {Formatting.HumanList(keys)} and restarting {appName}... {ConfigChange.Done(version)}");
        // Show what the server now holds for those keys; fall back to what we sent if it echoes less.
        var echoed = vars as JsonObject;
        ConfigVars.WriteAligned(context.Out, keys.Select(k => KeyValuePair.Create(k,
            ConfigVars.ValueText(echoed is not null && echoed.ContainsKey(k) ? echoed[k] : changes[k]))));
    }
}
