using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Ps;

/// <summary>
/// <c>nuvem ps:scale</c>: without arguments shows the formation as <c>web=1:Basic worker=0:Standard-1X</c>;
/// with arguments changes it in one <c>PATCH /apps/{app}/formation</c>.
/// </summary>
public sealed class PsScaleCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string[]> changes = new("TYPE=QTY[:SIZE]") { Description = "Changes such as web=2, worker+1, web=2:Standard-2X or web:Standard-2X", Arity = ArgumentArity.ZeroOrMore };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("ps:scale", "Show or change the number and size of the app's dynos");
        command.Aliases.Add("scale");
        command.Add(changes);
        app.AddTo(command);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        // Parse everything before the first request: a typo must not leave half the changes applied.
        var requests = (parse.GetValue(changes) ?? []).Select(ScaleRequest.Parse).ToList();
        var appName = app.Resolve(parse);
        var api = context.Api();
        var path = $"/apps/{PlatformClient.Segment(appName)}/formation";

        if (requests.Count == 0)
        {
            var formation = await api.GetListAsync(path, cancellation);
            if (parse.GetValue(json))
            {
                context.Out.Json(formation);
                return;
            }
            var items = Json.Objects(formation).OrderBy(f => Json.Text(f, "type"), StringComparer.Ordinal).ToList();
            context.Out.Line(items.Count == 0
                ? $"No process types on {appName}."
                : string.Join(" ", items.Select(f => $"{Json.Text(f, "type")}={Describe(f)}")));
            return;
        }

        var body = new JsonObject { ["updates"] = new JsonArray(requests.Select(r => (JsonNode)r.ToUpdate()).ToArray()) };
        var updated = await api.PatchAsync(path, body, cancellation);
        if (parse.GetValue(json))
        {
            context.Out.Json(updated);
            return;
        }

        // Report the changed types in the order they were asked for, with what the server settled on.
        var results = updated is JsonArray array ? Json.Objects(array).ToList() : [];
        var running = requests
            .Select(r => r.Type)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(type => results.FirstOrDefault(f => string.Equals(Json.Text(f, "type"), type, StringComparison.OrdinalIgnoreCase)))
            .OfType<JsonObject>()
            .Select(f => $"{Json.Text(f, "type")} at {Describe(f)}")
            .ToList();
        context.Out.Line(running.Count == 0 ? "Scaling dynos... done" : $"Scaling dynos... done, now running {string.Join(", ", running)}");
    }

    private static string Describe(JsonObject formation) => $"{Json.Text(formation, "quantity")}:{Json.Text(formation, "size")}";
}
