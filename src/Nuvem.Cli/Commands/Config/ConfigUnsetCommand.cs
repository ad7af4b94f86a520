using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Config;

/// <summary><c>nuvem config:unset KEY…</c>: removes vars by sending them as JSON null.</summary>
public sealed class ConfigUnsetCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string[]> names = new("KEY") { Description = "Config vars to remove", Arity = ArgumentArity.ZeroOrMore };

    public Command Build()
    {
        var command = new Command("config:unset", "Unset one or more config vars");
        command.Aliases.Add("config:remove");
        command.Add(names);
        app.AddTo(command);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var keys = (parse.GetValue(names) ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0) throw new CliException("Usage: nuvem config:unset KEY1 [KEY2 ...]\nMust specify KEY to unset.");

        var changes = new JsonObject();
        foreach (var key in keys) changes[key] = null;

        var appName = app.Resolve(parse);
        var (_, version) = await ConfigChange.ApplyAsync(context.Api(), appName, changes, cancellation);
        context.Out.Line($"Unsetting {Formatting.HumanList(keys)} and restarting {appName}... {ConfigChange.Done(version)}");
    }
}
