using System.CommandLine;
using System.Text.Json.Nodes;

namespace Nuvem.Cli.Commands.Run;

/// <summary><c>nuvem run:detached -- CMD</c>: a one-off dyno whose output goes to the app's log.</summary>
public sealed class RunDetachedCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string[]> command = new("COMMAND") { Description = "Command to run (put -- before it)", Arity = ArgumentArity.OneOrMore };
    private readonly Option<string?> size = new("--size", "-s") { Description = "Dyno size, e.g. standard-2x" };
    private readonly Option<string?> env = new("--env", "-e") { Description = "Environment variables, e.g. \"A=1;B=2\"" };

    public Command Build()
    {
        var run = new Command("run:detached", "Run a one-off process in the background; its output goes to the logs");
        run.Add(command);
        app.AddTo(run);
        run.Add(size);
        run.Add(env);
        return run.WithAction((parse, context, cancellation) =>
            StartAsync(context, app.Resolve(parse), RunCommand.Join(parse.GetValue(command) ?? []), RunCommand.ParseEnv(parse.GetValue(env)),
                parse.GetValue(size), cancellation));
    }

    public static async Task StartAsync(CommandContext context, string app, string line, Dictionary<string, string> variables, string? size, CancellationToken cancellation)
    {
        var body = new JsonObject { ["attach"] = false, ["command"] = line, ["env"] = RunCommand.ToJson(variables) };
        if (size is not null) body["size"] = size;
        var dyno = await context.Api().PostAsync($"/apps/{Uri.EscapeDataString(app)}/dynos", body, cancellation);
        var name = dyno?["name"]?.GetValue<string>();
        context.Out.Line($"Running {line} on {app}... done, {name}");
        context.Out.Line($"Run nuvem logs -a {app} -d {name} to view the output.");
    }
}
