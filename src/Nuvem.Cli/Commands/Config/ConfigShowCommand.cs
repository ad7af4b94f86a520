using System.CommandLine;

namespace Nuvem.Cli.Commands.Config;

/// <summary><c>nuvem config</c>: all config vars of the app.</summary>
public sealed class ConfigShowCommand
{
    private readonly AppSelector app = new();
    private readonly Option<bool> json = CommonOptions.Json();
    private readonly Option<bool> shell = new("--shell", "-s") { Description = "Print as KEY='value' lines for a shell or .env file" };

    public Command Build()
    {
        var command = new Command("config", "Display the app's config vars");
        app.AddTo(command);
        command.Add(json);
        command.Add(shell);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var node = await context.Api().GetAsync(ConfigVars.Path(appName), cancellation);
        if (parse.GetValue(json))
        {
            context.Out.Json(node);
            return;
        }
        var vars = ConfigVars.Read(node);
        if (parse.GetValue(shell))
        {
            foreach (var (key, value) in vars) context.Out.Line(ConfigVars.ShellLine(key, value));
            return;
        }
        context.Out.Header($"{appName} Config Vars");
        ConfigVars.WriteAligned(context.Out, vars);
    }
}
