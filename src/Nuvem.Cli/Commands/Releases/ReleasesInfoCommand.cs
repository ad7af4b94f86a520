using System.CommandLine;
using System.Text.Json;
using Nuvem.Cli.Api;
using Nuvem.Cli.Commands.Config;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Releases;

/// <summary><c>nuvem releases:info [vN]</c>: one release (the newest when no version is given) and the config it ran with.</summary>
public sealed class ReleasesInfoCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string?> release = new("RELEASE") { Description = "Release version (v5 or 5) or id; default: the newest", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("releases:info", "Show details of a release");
        command.Add(release);
        app.AddTo(command);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var api = context.Api();
        var requested = parse.GetValue(release);
        var info = await ReleaseLookup.GetOrNewestAsync(api, appName, requested, cancellation);

        if (parse.GetValue(json))
        {
            context.Out.Json(info);
            return;
        }

        var version = Json.Text(info, "version");
        var vars = ConfigVars.Read(await api.GetAsync($"/apps/{PlatformClient.Segment(appName)}/releases/{PlatformClient.Segment(version)}/config-vars", cancellation));

        var status = Json.Text(info, "status");
        var addons = Json.At(info, "addon_plan_names") is System.Text.Json.Nodes.JsonArray plans
            ? string.Join(", ", plans.Where(p => p?.GetValueKind() == JsonValueKind.String).Select(p => p!.GetValue<string>()))
            : "";

        context.Out.Header($"Release v{version}");
        new KeyValueList()
            .Add("Add-ons", addons.Length == 0 ? "none" : addons)
            .Add("Change", Json.Text(info, "description"))
            .Add("By", Json.Text(info, "user", "email"))
            .Add("When", Json.Text(info, "created_at"))
            .Add("Status", status, ReleaseStatus.Style(status))
            .WriteTo(context.Out);
        context.Out.Line();
        context.Out.Header($"v{version} Config vars");
        ConfigVars.WriteAligned(context.Out, vars);
    }
}
