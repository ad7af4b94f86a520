using System.CommandLine;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Apps;

/// <summary>
/// <c>nuvem apps</c>: the apps the user can see, split like Heroku's into their own apps and apps owned by
/// someone else. The region is shown only when it is not the default <c>us</c>.
/// </summary>
public sealed class AppsListCommand
{
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("apps", "List your apps");
        command.Aliases.Add("apps:list");
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var api = context.Api();
        if (parse.GetValue(json))
        {
            context.Out.Json(await api.GetListAsync("/apps", cancellation));
            return;
        }

        // Same pair of requests as Heroku: the account tells "mine" from "collaborated".
        var appsRequest = api.GetListAsync("/apps", cancellation);
        var accountRequest = api.GetAsync("/account", cancellation);
        var apps = Json.Objects(await appsRequest).OrderBy(a => Json.Text(a, "name"), StringComparer.Ordinal).ToList();
        var email = Json.Text(await accountRequest, "email");

        if (apps.Count == 0)
        {
            context.Out.Line("You have no apps.");
            return;
        }

        var mine = apps.Where(a => Owner(a) is var owner && (owner.Length == 0 || owner == email)).ToList();
        var others = apps.Except(mine).ToList();

        if (mine.Count > 0)
        {
            context.Out.Header($"{email} Apps");
            foreach (var app in mine) context.Out.Line(NameAndRegion(app));
        }
        if (others.Count > 0)
        {
            if (mine.Count > 0) context.Out.Line();
            context.Out.Header("Collaborated Apps");
            var table = new ColumnTable();
            foreach (var app in others) table.AddRow(new(NameAndRegion(app)), new(Owner(app), "dim"));
            table.WriteTo(context.Out);
        }
    }

    /// <summary>"myapp", or "myapp (eu)" outside the default region.</summary>
    private static string NameAndRegion(System.Text.Json.Nodes.JsonNode app)
    {
        var region = Json.Text(app, "region", "name");
        return region.Length == 0 || region == "us" ? Json.Text(app, "name") : $"{Json.Text(app, "name")} ({region})";
    }

    private static string Owner(System.Text.Json.Nodes.JsonNode app) => Json.Text(app, "owner", "email");
}
