using System.CommandLine;
using System.Globalization;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Ps;

/// <summary>
/// <c>nuvem ps</c>: the app's dynos grouped as Heroku prints them —
/// <c>=== web (Basic): python3 server.py (2)</c> then <c>web.1: up 2026/11/27 08:00:00 +0000 (~ 3m ago)</c>;
/// one-off dynos under <c>=== run: one-off processes</c>.
/// </summary>
public sealed class PsCommand
{
    private readonly AppSelector app = new();
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("ps", "List the app's dynos");
        app.AddTo(command);
        command.Add(json);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var name = app.Resolve(parse);
            var dynos = await context.Api().GetListAsync($"/apps/{PlatformClient.Segment(name)}/dynos", cancellation);
            if (parse.GetValue(json))
            {
                context.Out.Json(dynos);
                return;
            }
            if (dynos.Count == 0)
            {
                context.Out.Line($"No dynos on {name}");
                return;
            }
            var oneOffs = Json.Objects(dynos).Where(d => Json.Text(d, "type") == "run").ToList();
            if (oneOffs.Count > 0)
            {
                context.Out.Header("run: one-off processes");
                foreach (var dyno in oneOffs) context.Out.Line($"{Json.Text(dyno, "name")} ({Json.Text(dyno, "size")}): {State(context, dyno)}: {Json.Text(dyno, "command")}");
                context.Out.Line();
            }
            foreach (var group in Json.Objects(dynos).Where(d => Json.Text(d, "type") != "run")
                         .GroupBy(d => (Type: Json.Text(d, "type"), Size: Json.Text(d, "size"), Command: Json.Text(d, "command"))))
            {
                context.Out.Header($"{group.Key.Type} ({group.Key.Size}): {group.Key.Command} ({group.Count()})");
                foreach (var dyno in group) context.Out.Line($"{Json.Text(dyno, "name")}: {State(context, dyno)}");
                context.Out.Line();
            }
        });
    }

    private static string State(CommandContext context, System.Text.Json.Nodes.JsonObject dyno)
    {
        var state = Json.Text(dyno, "state");
        var styled = context.Out.Styled(state, state switch { "up" => "green", "crashed" => "red", _ => "yellow" });
        if (!DateTimeOffset.TryParse(Json.Text(dyno, "updated_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)) return styled;
        return $"{styled} {since.UtcDateTime:yyyy/MM/dd HH:mm:ss} +0000 (~ {Ago(DateTimeOffset.UtcNow - since)} ago)";
    }

    private static string Ago(TimeSpan span) => span.TotalSeconds < 60 ? $"{Math.Max(0, (int)span.TotalSeconds)}s"
        : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes}m"
        : span.TotalHours < 24 ? $"{(int)span.TotalHours}h" : $"{(int)span.TotalDays}d";
}
