using System.CommandLine;
using Nuvem.Cli.Commands.Releases;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Builds;

/// <summary><c>nuvem builds</c>: the newest builds (from git pushes and <c>nuvem deploy</c>): id, status, user, when.</summary>
public sealed class BuildsListCommand
{
    private readonly AppSelector app = new();
    private readonly Option<int> count = new("--num", "-n") { Description = "Number of builds to show", DefaultValueFactory = _ => 15, HelpName = "N" };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("builds", "List the app's builds, newest first");
        command.Aliases.Add("builds:list");
        app.AddTo(command);
        command.Add(count);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var max = parse.GetValue(count);
        if (max < 1) throw new CliException("--num must be a positive number.");
        var appName = app.Resolve(parse);
        var builds = await BuildLookup.NewestAsync(context.Api(), appName, max, cancellation);

        if (parse.GetValue(json))
        {
            context.Out.Json(builds);
            return;
        }
        var items = Json.Objects(builds).ToList();
        if (items.Count == 0)
        {
            context.Out.Line($"No builds on {appName}.");
            return;
        }

        context.Out.Header($"{appName} Builds");
        var table = new ColumnTable();
        foreach (var build in items)
        {
            var status = Json.Text(build, "status");
            table.AddRow(
                new(Json.Text(build, "id")),
                new(status, ReleaseStatus.Style(status)),
                new(Json.Text(build, "user", "email"), "green"),
                new(Formatting.When(Json.Text(build, "created_at"), relative: context.Out.IsTerminal), "dim"));
        }
        table.WriteTo(context.Out);
    }
}
