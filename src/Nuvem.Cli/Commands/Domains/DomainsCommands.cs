using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Domains;

/// <summary>
/// <c>nuvem domains</c>: <c>GET /apps/{app}/domains</c> (<c>Range: id ..; max=1000;</c>, as Heroku), printed as Heroku
/// does: the default domain, then the custom ones with the DNS record to create for each (CNAME for a sub-domain,
/// ALIAS or ANAME for an apex domain).
/// </summary>
public sealed class DomainsListCommand
{
    private readonly AppSelector app = new();
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("domains", "List the app's domains");
        app.AddTo(command);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var domains = await context.Api().GetListAsync($"/apps/{PlatformClient.Segment(appName)}/domains", cancellation, range: "id ..; max=1000;");
        if (parse.GetValue(json))
        {
            context.Out.Json(domains);
            return;
        }

        var all = Json.Objects(domains).ToList();
        var heroku = all.Where(d => Json.Text(d, "kind") == "heroku").Select(d => Json.Text(d, "hostname")).ToList();
        var custom = all.Where(d => Json.Text(d, "kind") != "heroku").OrderBy(d => Json.Text(d, "hostname"), StringComparer.Ordinal).ToList();

        context.Out.Header($"{appName} Heroku Domain");
        foreach (var host in heroku) context.Out.Line(host);
        if (custom.Count == 0) return;

        context.Out.Line();
        context.Out.Header($"{appName} Custom Domains");
        var table = new ColumnTable().AddRow(new("Domain Name", "bold"), new("DNS Record Type", "bold"), new("DNS Target", "bold"), new("SNI Endpoint", "bold"));
        foreach (var domain in custom)
        {
            var host = Json.Text(domain, "hostname");
            table.AddRow(new(host), new(DomainsFormatting.RecordType(host)), new(Json.Text(domain, "cname")), new(Json.Text(domain, "sni_endpoint", "name")));
        }
        table.WriteTo(context.Out);
    }
}

/// <summary><c>nuvem domains:add HOST</c>: <c>POST /apps/{app}/domains</c> with the body the heroku CLI sends (<c>{"hostname", "sni_endpoint": null}</c>).</summary>
public sealed class DomainsAddCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string> hostname = new("HOSTNAME") { Description = "Domain name, e.g. www.example.com" };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("domains:add", "Add a custom domain to the app");
        command.Add(hostname);
        app.AddTo(command);
        command.Add(json);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var host = parse.GetValue(hostname)!;
        var api = context.Api();
        var body = new JsonObject { ["hostname"] = host, ["sni_endpoint"] = null };
        var domain = await api.PostAsync($"/apps/{PlatformClient.Segment(appName)}/domains", body, cancellation);
        if (parse.GetValue(json))
        {
            context.Out.Json(domain);
            return;
        }
        var added = Json.Text(domain, "hostname");
        context.Out.Line($"Adding {added} to {appName}... done");
        context.Out.Line($"Configure your app's DNS provider to point to the DNS Target {Json.Text(domain, "cname")} " +
                         $"(a {DomainsFormatting.RecordType(added)} record for {added}).");
        if (Json.Text(domain, "status") is { Length: > 0 } status && status != "none" && status != "succeeded")
            context.Out.Line($"The domain {added} has been enqueued for addition (status: {status}).");
    }
}

/// <summary><c>nuvem domains:remove HOST</c>: <c>DELETE /apps/{app}/domains/{hostname}</c>.</summary>
public sealed class DomainsRemoveCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string> hostname = new("HOSTNAME") { Description = "Domain name to remove" };

    public Command Build()
    {
        var command = new Command("domains:remove", "Remove a custom domain from the app");
        command.Add(hostname);
        app.AddTo(command);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var appName = app.Resolve(parse);
            var host = parse.GetValue(hostname)!;
            await context.Api().DeleteAsync($"/apps/{PlatformClient.Segment(appName)}/domains/{PlatformClient.Segment(host)}", cancellation);
            context.Out.Line($"Removing {host} from {appName}... done");
        });
    }
}

/// <summary><c>nuvem domains:info HOST</c>: one domain as a key/value list.</summary>
public sealed class DomainsInfoCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string> hostname = new("HOSTNAME") { Description = "Domain name (or id)" };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var command = new Command("domains:info", "Show a domain of the app");
        command.Add(hostname);
        app.AddTo(command);
        command.Add(json);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var appName = app.Resolve(parse);
            var domain = await context.Api().GetAsync(
                $"/apps/{PlatformClient.Segment(appName)}/domains/{PlatformClient.Segment(parse.GetValue(hostname)!)}", cancellation);
            if (parse.GetValue(json))
            {
                context.Out.Json(domain);
                return;
            }
            context.Out.Header(Json.Text(domain, "hostname"));
            new KeyValueList()
                .Add("Acm Status", Json.Text(domain, "acm_status"))
                .Add("App", Json.Text(domain, "app", "name"))
                .Add("Cname", Json.Text(domain, "cname"))
                .Add("Created At", Json.Text(domain, "created_at"))
                .Add("Hostname", Json.Text(domain, "hostname"))
                .Add("Id", Json.Text(domain, "id"))
                .Add("Kind", Json.Text(domain, "kind"))
                .Add("Status", Json.Text(domain, "status"))
                .Add("Updated At", Json.Text(domain, "updated_at"))
                .WriteTo(context.Out);
        });
    }
}

internal static class DomainsFormatting
{
    /// <summary>An apex domain (example.com) cannot have a CNAME; DNS providers offer ALIAS or ANAME records for it.</summary>
    public static string RecordType(string hostname) =>
        hostname.TrimEnd('.').Split('.').Length <= 2 ? "ALIAS or ANAME" : "CNAME";
}
