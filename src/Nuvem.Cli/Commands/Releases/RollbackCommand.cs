using System.CommandLine;
using System.Text.Json.Nodes;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Releases;

/// <summary>
/// <c>nuvem rollback [vN]</c>: a new release with the code and config of release N (by default the release before
/// the current one), via <c>POST /apps/{app}/releases {"release": id}</c>, as Heroku's rollback does. When the slug
/// has a release command, its output follows and the command fails if it does.
/// </summary>
public sealed class RollbackCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string?> release = new("RELEASE") { Description = "Release to roll back to (v5 or 5) or its id; default: the one before the current release", Arity = ArgumentArity.ZeroOrOne };

    public Command Build()
    {
        var command = new Command("rollback", "Roll back to an earlier release's code and config (makes a new release)");
        command.Aliases.Add("releases:rollback");
        command.Add(release);
        app.AddTo(command);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var appName = app.Resolve(parse);
        var api = context.Api();
        var requested = parse.GetValue(release);
        var newestFirst = Json.Objects(await api.GetListAsync(ReleaseLookup.Path(appName), cancellation,
            range: "version ..; max=10, order=desc", allPages: false)).ToList();
        var current = newestFirst.FirstOrDefault(r => Json.Flag(r, "current"));
        var target = string.IsNullOrWhiteSpace(requested)
            ? Previous(newestFirst, current) ?? throw new CliException(
                $"No release to roll back to on {appName}: there is no successful release before the current one. Name one with `nuvem rollback vN`.")
            : await ReleaseLookup.GetOrNewestAsync(api, appName, requested, cancellation);

        var made = await api.PostAsync(ReleaseLookup.Path(appName), new JsonObject { ["release"] = Json.Text(target, "id") }, cancellation);
        var version = Json.Text(made, "version");
        context.Out.Line($"Rolling back {appName} to v{Json.Text(target, "version")}... done, v{version}");
        var status = await ReleasePhaseFollower.FollowAsync(context, api, appName, made, cancellation);
        ReleasePhaseFollower.RequireSucceeded(status, appName, version);
        // Undoing means rolling back to what was running until now.
        if (current is not null) context.Out.Line($"To undo, run: nuvem rollback v{Json.Text(current, "version")}");
    }

    /// <summary>
    /// The newest release older than the current one that can be rolled back to. Heroku takes the second eligible
    /// release, which is the same while the newest release is the current one; after a failed release it is not.
    /// </summary>
    private static JsonObject? Previous(List<JsonObject> newestFirst, JsonObject? current)
    {
        var older = current is null
            ? newestFirst.Where(r => Json.Flag(r, "eligible_for_rollback")).Skip(1)
            : newestFirst.SkipWhile(r => r != current).Skip(1);
        return older.FirstOrDefault(r => Json.Flag(r, "eligible_for_rollback"));
    }
}
