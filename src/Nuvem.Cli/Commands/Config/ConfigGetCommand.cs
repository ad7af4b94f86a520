using System.CommandLine;

namespace Nuvem.Cli.Commands.Config;

/// <summary><c>nuvem config:get KEY</c>: one value, unadorned for <c>$(nuvem config:get KEY)</c>. An unset key prints an empty line and still succeeds, as in Heroku.</summary>
public sealed class ConfigGetCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string> key = new("KEY") { Description = "Name of the config var" };
    private readonly Option<bool> shell = new("--shell", "-s") { Description = "Print as KEY='value'" };

    public Command Build()
    {
        var command = new Command("config:get", "Display one config var's value");
        command.Add(key);
        app.AddTo(command);
        command.Add(shell);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var name = parse.GetValue(key)!;
        var vars = ConfigVars.Read(await context.Api().GetAsync(ConfigVars.Path(appName), cancellation));
        var value = vars.GetValueOrDefault(name, "");
        context.Out.Line(parse.GetValue(shell) ? ConfigVars.ShellLine(name, value) : value);
    }
}
