using System.CommandLine;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Releases;

/// <summary>
/// <c>nuvem releases</c>: the newest N releases (one page, <c>Range: version ..; max=N, order=desc</c>, as Heroku).
/// Columns: version, description, user, when, status, and "(current)" on the release that is running.
/// </summary>
public sealed class ReleasesListCommand
{
    private readonly AppSelector app = new();
    private readonly Option<int> count = new("--num", "-n") { Description = "Number of releases to show", DefaultValueFactory = _ => 15, HelpName = "N" };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("releases", "List the app's releases, newest first");
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
        var releases = await context.Api().GetListAsync($"/apps/{PlatformClient.Segment(appName)}/releases", cancellation,
            range: $"version ..; max={max}, order=desc", allPages: false);
        // A server that ignores max must not flood the terminal.
        while (releases.Count > max) releases.RemoveAt(releases.Count - 1);

        if (parse.GetValue(json))
        {
            context.Out.Json(releases);
            return;
        }
        var items = Json.Objects(releases).ToList();
        if (items.Count == 0)
        {
            context.Out.Line($"No releases on {appName}.");
            return;
        }

        var current = items.FirstOrDefault(r => Json.Flag(r, "current"));
        context.Out.Header(current is null ? $"{appName} Releases" : $"{appName} Releases - Current: v{Json.Text(current, "version")}");
        var table = new ColumnTable();
        foreach (var release in items)
        {
            var status = Json.Text(release, "status");
            var isCurrent = Json.Flag(release, "current");
            table.AddRow(
                new($"v{Json.Text(release, "version")}", isCurrent ? "bold" : null),
                new(Json.Text(release, "description")),
                new(Json.Text(release, "user", "email"), "green"),
                new(Formatting.When(Json.Text(release, "created_at"), relative: context.Out.IsTerminal), "dim"),
                new(status, ReleaseStatus.Style(status)),
                new(isCurrent ? "(current)" : "", "bold"));
        }
        table.WriteTo(context.Out);
    }
}
