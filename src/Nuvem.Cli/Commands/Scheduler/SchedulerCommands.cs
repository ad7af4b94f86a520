using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Commands.Run;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Scheduler;

/// <summary><c>nuvem scheduler:add "SCHEDULE" -- COMMAND</c>: <c>POST /apps/{app}/scheduled-jobs</c>. SCHEDULE is a
/// 5-field cron (UTC) or "every 10 minutes", "hourly at :MM", "daily at HH:MM".</summary>
public sealed class SchedulerAddCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string> schedule = new("SCHEDULE") { Description = "A 5-field cron in UTC (\"*/30 * * * *\"), \"every 10 minutes\", \"hourly at :MM\" or \"daily at HH:MM\"" };
    private readonly Argument<string[]> command = new("COMMAND") { Description = "Command to run (put -- before it)", Arity = ArgumentArity.OneOrMore };
    private readonly Option<string?> size = new("--size", "-s") { Description = "Dyno size, e.g. standard-2x" };
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var add = new Command("scheduler:add", "Schedule a command to run in a one-off dyno (scheduler.N)");
        add.Add(schedule);
        add.Add(command);
        app.AddTo(add);
        add.Add(size);
        add.Add(json);
        return add.WithAction(async (parse, context, cancellation) =>
        {
            var appName = app.Resolve(parse);
            var body = new JsonObject { ["command"] = RunCommand.Join(parse.GetValue(command) ?? []), ["schedule"] = parse.GetValue(schedule) };
            if (parse.GetValue(size) is { } s) body["size"] = s;
            var job = await context.Api().PostAsync($"/apps/{PlatformClient.Segment(appName)}/scheduled-jobs", body, cancellation);
            if (parse.GetValue(json))
            {
                context.Out.Json(job);
                return;
            }
            context.Out.Line($"Scheduled job {Json.Text(job, "id")} on {appName}: `{Json.Text(job, "command")}` at {Json.Text(job, "schedule")} (UTC), next run {Json.Text(job, "next_run_at")}");
        });
    }
}

/// <summary><c>nuvem scheduler:jobs</c>: <c>GET /apps/{app}/scheduled-jobs</c>.</summary>
public sealed class SchedulerJobsCommand
{
    private readonly AppSelector app = new();
    private readonly Option<bool> json = CommonOptions.Json();

    public Command Build()
    {
        var jobs = new Command("scheduler:jobs", "List the app's scheduled jobs");
        app.AddTo(jobs);
        jobs.Add(json);
        return jobs.WithAction(async (parse, context, cancellation) =>
        {
            var appName = app.Resolve(parse);
            var list = await context.Api().GetAsync($"/apps/{PlatformClient.Segment(appName)}/scheduled-jobs", cancellation);
            if (parse.GetValue(json))
            {
                context.Out.Json(list);
                return;
            }
            var all = Json.Objects(list as JsonArray ?? []).ToList();
            if (all.Count == 0)
            {
                context.Out.Line($"{appName} has no scheduled jobs.");
                return;
            }
            context.Out.Header($"{appName} Scheduled Jobs");
            var table = new ColumnTable().AddRow(new("ID", "bold"), new("Schedule (UTC)", "bold"), new("Size", "bold"), new("Last Run", "bold"),
                new("Next Run", "bold"), new("Command", "bold"));
            foreach (var job in all)
                table.AddRow(new(Json.Text(job, "id")), new(Json.Text(job, "schedule")), new(Json.Text(job, "size") is { Length: > 0 } s ? s : "default"),
                    new(Json.Text(job, "last_run_at") is { Length: > 0 } l ? l : "never"), new(Json.Text(job, "next_run_at")), new(Json.Text(job, "command")));
            table.WriteTo(context.Out);
        });
    }
}

/// <summary><c>nuvem scheduler:remove ID</c>: <c>DELETE /apps/{app}/scheduled-jobs/{id}</c>.</summary>
public sealed class SchedulerRemoveCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string> id = new("ID") { Description = "The job's id (scheduler:jobs lists them)" };

    public Command Build()
    {
        var remove = new Command("scheduler:remove", "Remove a scheduled job");
        remove.Add(id);
        app.AddTo(remove);
        return remove.WithAction(async (parse, context, cancellation) =>
        {
            var appName = app.Resolve(parse);
            var job = parse.GetValue(id)!;
            await context.Api().DeleteAsync($"/apps/{PlatformClient.Segment(appName)}/scheduled-jobs/{PlatformClient.Segment(job)}", cancellation);
            context.Out.Line($"Removing scheduled job {job} from {appName}... done");
        });
    }
}
