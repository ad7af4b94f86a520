using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.AddOns;

/// <summary><c>nuvem addons:attach ADDON -a APP [--as NAME] [--confirm APP]</c>: <c>POST /addon-attachments</c>; a release
/// sets the add-on's config vars in the app and restarts it.</summary>
public sealed class AddOnsAttachCommand
{
    private readonly Argument<string> addon = new("ADDON") { Description = "The add-on's name or id" };
    private readonly AppSelector app = new();
    private readonly Option<string?> attachAs = new("--as") { Description = "Name of the attachment (prefix of its config vars)", HelpName = "NAME" };
    private readonly Option<string?> confirm = new("--confirm") { Description = "The app's name, to replace an attachment of the same name", HelpName = "APP" };

    public Command Build()
    {
        var command = new Command("addons:attach", "Attach an existing add-on to an app");
        command.Add(addon);
        app.AddTo(command);
        command.Add(attachAs);
        command.Add(confirm);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var appName = app.Resolve(parse);
            var api = context.Api();
            var body = new JsonObject
            {
                ["addon"] = new JsonObject { ["name"] = parse.GetValue(addon) },
                ["app"] = new JsonObject { ["name"] = appName },
                ["name"] = parse.GetValue(attachAs),
                ["confirm"] = parse.GetValue(confirm),
            };
            JsonNode? attachment;
            try { attachment = await api.PostAsync("/addon-attachments", body, cancellation); }
            catch (PlatformApiException e) when (e.Id == "confirmation_required") { throw new CliException(e.Message); }
            context.Out.Line($"Attaching {parse.GetValue(addon)} as {Json.Text(attachment, "name")} to {appName}... done");
            context.Out.Line($"Setting {Json.Text(attachment, "name")} config vars and restarting {appName}... done, v{await LatestReleaseAsync(api, appName, cancellation)}");
        });
    }

    public static async Task<string> LatestReleaseAsync(PlatformClient api, string appName, CancellationToken cancellation)
    {
        var releases = await api.GetListAsync($"/apps/{PlatformClient.Segment(appName)}/releases", cancellation, range: "version ..; max=1, order=desc", allPages: false);
        return Json.Text(releases.FirstOrDefault(), "version");
    }
}

/// <summary><c>nuvem addons:detach ATTACHMENT -a APP</c>: <c>DELETE /addon-attachments/{id}</c>; a release unsets its config vars.</summary>
public sealed class AddOnsDetachCommand
{
    private readonly Argument<string> attachment = new("ATTACHMENT") { Description = "The attachment's name in the app (DATABASE) or id" };
    private readonly AppSelector app = new();

    public Command Build()
    {
        var command = new Command("addons:detach", "Detach an add-on from an app");
        command.Add(attachment);
        app.AddTo(command);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var appName = app.Resolve(parse);
            var api = context.Api();
            var found = await api.GetAsync($"/apps/{PlatformClient.Segment(appName)}/addon-attachments/{PlatformClient.Segment(parse.GetValue(attachment)!)}", cancellation);
            await api.DeleteAsync($"/addon-attachments/{PlatformClient.Segment(Json.Text(found, "id"))}", cancellation);
            context.Out.Line($"Detaching {Json.Text(found, "name")} to {Json.Text(found, "addon", "name")} from {appName}... done");
            context.Out.Line($"Unsetting {Json.Text(found, "name")} config vars and restarting {appName}... done, v{await AddOnsAttachCommand.LatestReleaseAsync(api, appName, cancellation)}");
        });
    }
}

/// <summary>
/// <c>nuvem addons:destroy ADDON --confirm APP [--force]</c>: detaches it everywhere (a release in each app), removes
/// its resource and the add-on. The owning app's name must be given as <c>--confirm</c>.
/// </summary>
public sealed class AddOnsDestroyCommand
{
    private readonly Argument<string> addon = new("ADDON") { Description = "The add-on's name or id, or an attachment name in the app" };
    private readonly AppSelector app = new();
    private readonly Option<string?> confirm = new("--confirm", "-c") { Description = "The owning app's name, to confirm", HelpName = "APP" };
    private readonly Option<bool> force = new("--force", "-f") { Description = "Destroy it also when other apps are attached" };

    public Command Build()
    {
        var command = new Command("addons:destroy", "Permanently destroy an add-on and its data");
        command.Aliases.Add("addons:remove");
        command.Add(addon);
        app.AddTo(command);
        command.Add(confirm);
        command.Add(force);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var api = context.Api();
            var found = await AddOnsFormatting.ResolveAsync(api, parse.GetValue(addon)!, AddOnsFormatting.OptionalApp(app, parse), cancellation);
            var owner = Json.Text(found, "app", "name");
            if (parse.GetValue(confirm) != owner)
                throw new CliException($"This destroys {Json.Text(found, "name")} and its data. To proceed, type: nuvem addons:destroy {Json.Text(found, "name")} --confirm {owner}");
            var body = new JsonObject { ["force"] = parse.GetValue(force) };
            var destroyed = await api.DeleteAsync($"/apps/{PlatformClient.Segment(Json.Text(found, "app", "id"))}/addons/{PlatformClient.Segment(Json.Text(found, "id"))}", body, cancellation);
            context.Out.Line($"Destroying {Json.Text(found, "name")} on {owner}... {(Json.Text(destroyed, "state") == "deprovisioning" ? "pending" : "done")}");
        });
    }
}

/// <summary><c>nuvem addons:upgrade ADDON PLAN</c> (also <c>addons:downgrade</c>): <c>PATCH /apps/{app}/addons/{addon}</c> with the new plan.</summary>
public sealed class AddOnsUpgradeCommand(string verb)
{
    private readonly Argument<string> addon = new("ADDON") { Description = "The add-on's name, or an attachment name in the app" };
    private readonly Argument<string> plan = new("PLAN") { Description = "The new plan (essential-1, or heroku-postgresql:essential-1)" };
    private readonly AppSelector app = new();

    public Command Build()
    {
        var command = new Command($"addons:{verb}", "Move an add-on to another plan of its service");
        command.Add(addon);
        command.Add(plan);
        app.AddTo(command);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var api = context.Api();
            var found = await AddOnsFormatting.ResolveAsync(api, parse.GetValue(addon)!, AddOnsFormatting.OptionalApp(app, parse), cancellation);
            var service = Json.Text(found, "addon_service", "name");
            var target = parse.GetValue(plan)!;
            if (!target.Contains(':')) target = $"{service}:{target}";
            var owner = Json.Text(found, "app", "name");
            var changed = await api.PatchAsync($"/apps/{PlatformClient.Segment(owner)}/addons/{PlatformClient.Segment(Json.Text(found, "name"))}",
                new JsonObject { ["plan"] = new JsonObject { ["name"] = target } }, cancellation);
            context.Out.Line($"Changing {Json.Text(found, "name")} on {owner} from {Json.Text(found, "plan", "name")} to {Json.Text(changed, "plan", "name")}... done, {AddOnsFormatting.Price(Json.At(changed, "plan", "price"))}");
        });
    }
}
