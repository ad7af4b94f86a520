using System.CommandLine;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Apps;

/// <summary><c>nuvem apps:info</c>: the app's attributes from <c>GET /apps/{app}</c> as an aligned key/value list.</summary>
public sealed class AppsInfoCommand
{
    private readonly AppSelector app = new(allowPositional: true);
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("apps:info", "Show detailed app information");
        command.Aliases.Add("info");
        app.AddTo(command);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var info = await context.Api().GetAsync($"/apps/{PlatformClient.Segment(appName)}", cancellation);
        if (parse.GetValue(json))
        {
            context.Out.Json(info);
            return;
        }

        context.Out.Header(Json.Text(info, "name"));
        new KeyValueList()
            .Add("Name", Json.Text(info, "name"))
            .Add("Owner", Json.Text(info, "owner", "email"))
            .Add("Region", Json.Text(info, "region", "name"))
            .Add("Stack", Json.Text(info, "stack", "name"))
            .Add("Web URL", Json.Text(info, "web_url"))
            .Add("Git URL", Json.Text(info, "git_url"))
            .Add("Repo Size", Formatting.Bytes(Json.At(info, "repo_size")))
            .Add("Slug Size", Formatting.Bytes(Json.At(info, "slug_size")))
            .Add("Maintenance", Json.Flag(info, "maintenance") ? "on" : "off", Json.Flag(info, "maintenance") ? "yellow" : null)
            .Add("Created At", Json.Text(info, "created_at"))
            .WriteTo(context.Out);
    }
}
