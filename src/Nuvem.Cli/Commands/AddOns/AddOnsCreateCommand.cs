using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.AddOns;

/// <summary>
/// <c>nuvem addons:create SERVICE[:PLAN] [--as NAME] [--name NAME] [--wait] [-- --key value…]</c>:
/// <c>POST /apps/{app}/addons</c> with the body the heroku CLI sends. The platform answers <c>provisioned</c> (the
/// config vars are set) or <c>provisioning</c> (it finishes in the background; <c>--wait</c> polls every 2 s until it has).
/// A create that would overwrite config vars or an attachment asks for <c>--confirm APP</c>.
/// </summary>
public sealed class AddOnsCreateCommand
{
    private readonly Argument<string> plan = new("SERVICE:PLAN") { Description = "The service, and optionally its plan (heroku-postgresql:essential-0)" };
    private readonly Argument<string[]> extra = new("-- OPTIONS") { Description = "Options for the provider: -- --key value", Arity = ArgumentArity.ZeroOrMore };
    private readonly AppSelector app = new();
    private readonly Option<string?> attachAs = new("--as") { Description = "Name of the attachment (prefix of its config vars)", HelpName = "NAME" };
    private readonly Option<string?> name = new("--name") { Description = "Name of the add-on (default: generated)", HelpName = "NAME" };
    private readonly Option<string?> confirm = new("--confirm") { Description = "The app's name, to overwrite existing config vars or attachments", HelpName = "APP" };
    private readonly Option<bool> wait = new("--wait") { Description = "Wait until the add-on is provisioned" };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("addons:create", "Create an add-on and attach it to the app");
        command.Add(plan);
        command.Add(extra);
        app.AddTo(command);
        command.Add(attachAs);
        command.Add(name);
        command.Add(confirm);
        command.Add(wait);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var servicePlan = parse.GetValue(plan)!;
        var api = context.Api();
        var body = new JsonObject
        {
            ["plan"] = new JsonObject { ["name"] = servicePlan },
            ["attachment"] = new JsonObject { ["name"] = parse.GetValue(attachAs) },
            ["config"] = Options(parse.GetValue(extra) ?? []),
            ["name"] = parse.GetValue(name),
            ["confirm"] = parse.GetValue(confirm),
        };
        JsonNode? addOn;
        try
        {
            addOn = await api.PostAsync($"/apps/{PlatformClient.Segment(appName)}/addons", body, cancellation);
        }
        catch (PlatformApiException e) when (e.Id == "confirmation_required")
        {
            throw new CliException(e.Message);
        }
        var addOnName = Json.Text(addOn, "name");
        if (!parse.GetValue(json)) context.Out.Line($"Creating {servicePlan} on {appName}... {AddOnsFormatting.Price(Json.At(addOn, "plan", "price"))}");
        if (Json.Text(addOn, "state") == "provisioning" && parse.GetValue(wait))
        {
            if (!parse.GetValue(json)) context.Out.Line($"Waiting for {addOnName}...");
            while (Json.Text(addOn, "state") == "provisioning")
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancellation);
                addOn = await api.GetAsync($"/apps/{PlatformClient.Segment(appName)}/addons/{PlatformClient.Segment(addOnName)}", cancellation);
            }
        }
        if (parse.GetValue(json)) { context.Out.Json(addOn); return; }
        if (Json.Text(addOn, "provision_message") is { Length: > 0 } message) context.Out.Line(message);
        switch (Json.Text(addOn, "state"))
        {
            case "provisioning":
                context.Out.Line($"{addOnName} is being created in the background. The app will restart when complete...");
                context.Out.Line($"Run nuvem addons:info {addOnName} to check creation progress.");
                break;
            case "deprovisioned":
                throw new CliException("The add-on was unable to be created, with status deprovisioned");
            default:
                var vars = (Json.At(addOn, "config_vars") as JsonArray ?? []).Select(v => v?.GetValue<string>()).ToList();
                context.Out.Line(vars.Count > 0 ? $"Created {addOnName} as {string.Join(", ", vars)}" : $"Created {addOnName}");
                break;
        }
    }

    /// <summary>Heroku's parsing of <c>-- --key value --flag --key=value</c>: a bare flag is "true".</summary>
    public static JsonObject Options(IReadOnlyList<string> args)
    {
        var config = new JsonObject();
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new CliException($"Unexpected argument {args[i]}");
            var key = args[i][2..];
            if (key.Contains('='))
            {
                config[key[..key.IndexOf('=')]] = key[(key.IndexOf('=') + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                config[key] = args[++i];
            }
            else
            {
                config[key] = "true";
            }
        }
        return config;
    }
}
