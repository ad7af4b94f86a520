using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Maintenance;

/// <summary><c>nuvem maintenance</c>: whether the router answers every request with the maintenance page.</summary>
public sealed class MaintenanceStatusCommand
{
    private readonly AppSelector app = new();

    public Command Build()
    {
        var command = new Command("maintenance", "Show whether maintenance mode is on or off");
        app.AddTo(command);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var info = await context.Api().GetAsync($"/apps/{PlatformClient.Segment(app.Resolve(parse))}", cancellation);
            context.Out.Line(Json.Flag(info, "maintenance") ? "on" : "off");
        });
    }
}

/// <summary><c>nuvem maintenance:on</c> / <c>maintenance:off</c>: <c>PATCH /apps/{app}</c> with <c>{"maintenance":…}</c>.</summary>
public sealed class MaintenanceSwitchCommand(bool enable)
{
    private readonly AppSelector app = new();

    public Command Build()
    {
        var command = new Command(enable ? "maintenance:on" : "maintenance:off",
            enable ? "Put the app into maintenance mode" : "Take the app out of maintenance mode");
        app.AddTo(command);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var appName = app.Resolve(parse);
            await context.Api().PatchAsync($"/apps/{PlatformClient.Segment(appName)}", new JsonObject { ["maintenance"] = enable }, cancellation);
            context.Out.Line($"{(enable ? "Enabling" : "Disabling")} maintenance mode for {appName}... done");
        });
    }
}
