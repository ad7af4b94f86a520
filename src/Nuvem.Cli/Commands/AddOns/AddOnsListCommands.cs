using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.AddOns;

/// <summary>
/// <c>nuvem addons</c>: the app's add-ons with their attachments (<c>GET /apps/{app}/addons</c> and
/// <c>/apps/{app}/addon-attachments</c>), or every add-on of the caller's apps when no app is given, as Heroku prints them.
/// </summary>
public sealed class AddOnsListCommand
{
    private readonly AppSelector app = new();
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("addons", "List the app's add-ons (or all of yours without an app)");
        app.AddTo(command);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        string? appName;
        try { appName = app.Resolve(parse); }
        catch (CliException) { appName = null; }
        var api = context.Api();
        var addOns = await api.GetListAsync(appName is null ? "/addons" : $"/apps/{PlatformClient.Segment(appName)}/addons", cancellation);
        if (parse.GetValue(json))
        {
            context.Out.Json(addOns);
            return;
        }
        if (addOns.Count == 0)
        {
            context.Out.Line(appName is null ? "You have no add-ons." : $"No add-ons for app {appName}.");
            return;
        }
        var attachments = await api.GetListAsync(appName is null ? "/addon-attachments" : $"/apps/{PlatformClient.Segment(appName)}/addon-attachments", cancellation);
        var table = new ColumnTable().AddRow(new("Add-on", "bold"), new("Plan", "bold"), new("Price", "bold"), new("State", "bold"));
        foreach (var addOn in Json.Objects(addOns).OrderBy(a => Json.Text(a, "plan", "name"), StringComparer.Ordinal))
        {
            var owner = Json.Text(addOn, "app", "name");
            var foreign = appName is not null && owner != appName;
            table.AddRow(new($"{Json.Text(addOn, "addon_service", "name")} ({Json.Text(addOn, "name")})"),
                new(foreign ? "(billed to " + owner + " app)" : Json.Text(addOn, "plan", "name").Split(':').Last()),
                new(foreign ? "" : AddOnsFormatting.Price(Json.At(addOn, "plan", "price"))), new(AddOnsFormatting.State(Json.Text(addOn, "state"))));
            foreach (var attachment in Json.Objects(attachments).Where(a => Json.Text(a, "addon", "id") == Json.Text(addOn, "id")))
            {
                var on = Json.Text(attachment, "app", "name");
                table.AddRow(new($" └─ as {Json.Text(attachment, "name")}{(on != (appName ?? owner) ? $" on {on} app" : "")}", "dim"), new(""), new(""), new(""));
            }
        }
        table.WriteTo(context.Out);
    }
}

/// <summary><c>nuvem addons:services</c>: the catalog (<c>GET /addon-services</c>).</summary>
public sealed class AddOnsServicesCommand
{
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("addons:services", "List the add-on services this platform offers");
        command.Add(json);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var services = await context.Api().GetListAsync("/addon-services", cancellation);
            if (parse.GetValue(json)) { context.Out.Json(services); return; }
            var table = new ColumnTable().AddRow(new("Slug", "bold"), new("Name", "bold"), new("State", "bold"));
            foreach (var service in Json.Objects(services))
                table.AddRow(new(Json.Text(service, "name")), new(Json.Text(service, "human_name")), new(Json.Text(service, "state")));
            table.WriteTo(context.Out);
            context.Out.Line();
            context.Out.Line("See plans with nuvem addons:plans SERVICE");
        });
    }
}

/// <summary><c>nuvem addons:plans SERVICE</c>: a service's plans (<c>GET /addon-services/{service}/plans</c>), cheapest first.</summary>
public sealed class AddOnsPlansCommand
{
    private readonly Argument<string> service = new("SERVICE") { Description = "The add-on service, e.g. heroku-postgresql" };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("addons:plans", "List a service's plans");
        command.Add(service);
        command.Add(json);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var plans = await context.Api().GetListAsync($"/addon-services/{PlatformClient.Segment(parse.GetValue(service)!)}/plans", cancellation);
            if (parse.GetValue(json)) { context.Out.Json(plans); return; }
            var table = new ColumnTable().AddRow(new("", "bold"), new("Slug", "bold"), new("Name", "bold"), new("Price", "bold"));
            foreach (var plan in Json.Objects(plans).OrderBy(p => Json.At(p, "price", "cents")?.GetValue<int>() ?? 0))
                table.AddRow(new(Json.Flag(plan, "default") ? "default" : ""), new(Json.Text(plan, "name")), new(Json.Text(plan, "human_name")),
                    new(AddOnsFormatting.Price(Json.At(plan, "price"))));
            table.WriteTo(context.Out);
        });
    }
}

/// <summary><c>nuvem addons:info ADDON</c>: one add-on (by name, or an attachment name of the app) and its attachments.</summary>
public sealed class AddOnsInfoCommand
{
    private readonly Argument<string> addon = new("ADDON") { Description = "The add-on's name or id, or an attachment name in the app" };
    private readonly AppSelector app = new();
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("addons:info", "Show an add-on");
        command.Add(addon);
        app.AddTo(command);
        command.Add(json);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var api = context.Api();
            var addOn = await AddOnsFormatting.ResolveAsync(api, parse.GetValue(addon)!, AddOnsFormatting.OptionalApp(app, parse), cancellation);
            if (parse.GetValue(json)) { context.Out.Json(addOn); return; }
            var attachments = await api.GetListAsync($"/addons/{PlatformClient.Segment(Json.Text(addOn, "id"))}/addon-attachments", cancellation);
            context.Out.Header(Json.Text(addOn, "name"));
            new KeyValueList()
                .Add("Plan", Json.Text(addOn, "plan", "name"))
                .Add("Price", AddOnsFormatting.Price(Json.At(addOn, "plan", "price")))
                .Add("Attachments", string.Join(", ", Json.Objects(attachments).Select(a => $"{Json.Text(a, "app", "name")}::{Json.Text(a, "name")}").Order(StringComparer.Ordinal)))
                .Add("Config vars", string.Join(", ", (Json.At(addOn, "config_vars") as JsonArray ?? []).Select(v => v?.GetValue<string>())))
                .Add("Owning app", Json.Text(addOn, "app", "name"))
                .Add("Installed at", Json.Text(addOn, "created_at"))
                .Add("State", AddOnsFormatting.State(Json.Text(addOn, "state")))
                .WriteTo(context.Out);
            if (Json.Text(addOn, "provision_message") is { Length: > 0 } message) context.Out.Line(message);
        });
    }
}

/// <summary>What the add-on commands share: Heroku's price and state wording, resolving what the user typed.</summary>
public static class AddOnsFormatting
{
    /// <summary><c>free</c>, <c>$5/month</c>, <c>$9.50/month</c>.</summary>
    public static string Price(JsonNode? price)
    {
        if (price is null) return "";
        var cents = Json.At(price, "cents")?.GetValue<int>() ?? 0;
        return cents == 0 ? "free" : cents % 100 == 0 ? $"${cents / 100}/{Json.Text(price, "unit")}" : $"${cents / 100.0:0.00}/{Json.Text(price, "unit")}";
    }

    /// <summary>Heroku's words for the states: created, creating, destroying, errored.</summary>
    public static string State(string state) => state switch
    {
        "provisioned" => "created",
        "provisioning" => "creating",
        "deprovisioning" => "destroying",
        "deprovisioned" => "errored",
        _ => state,
    };

    public static string? OptionalApp(AppSelector app, ParseResult parse)
    {
        try { return app.Resolve(parse); }
        catch (CliException) { return null; }
    }

    /// <summary>One add-on from a name, id, attachment name or <c>app::attachment</c> (<c>POST /actions/addons/resolve</c>).</summary>
    public static async Task<JsonObject> ResolveAsync(PlatformClient api, string typed, string? appName, CancellationToken cancellation)
    {
        var found = await api.PostAsync("/actions/addons/resolve", new JsonObject { ["addon"] = typed, ["app"] = appName }, cancellation) as JsonArray ?? [];
        var matches = Json.Objects(found).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException($"Couldn't find that add-on ({typed})."),
            _ => throw new CliException($"Ambiguous identifier; multiple matching add-ons found: {string.Join(", ", matches.Select(m => Json.Text(m, "name")))}."),
        };
    }
}
