using System.CommandLine;
using Nuvem.Cli.Api;

namespace Nuvem.Cli.Commands.Ps;

/// <summary>
/// <c>nuvem ps:restart [DYNO|TYPE]</c> and <c>nuvem ps:stop DYNO|TYPE</c>: a name with a dot is one dyno
/// (<c>web.1</c>), without is a process type (<c>web</c>); no argument restarts every dyno.
/// </summary>
public sealed class PsRestartCommand(bool stop)
{
    private readonly AppSelector app = new();
    private readonly Argument<string?> target = new("DYNO") { Description = "A dyno (web.1) or a process type (web)", Arity = stop ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne };

    public Command Build()
    {
        var command = new Command(stop ? "ps:stop" : "ps:restart", stop ? "Stop a dyno or every dyno of a process type" : "Restart dynos");
        command.Add(target);
        app.AddTo(command);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var name = app.Resolve(parse);
            var what = parse.GetValue(target);
            var basePath = $"/apps/{PlatformClient.Segment(name)}";
            var path = what is null ? $"{basePath}/dynos"
                : what.Contains('.') ? $"{basePath}/dynos/{PlatformClient.Segment(what)}"
                : $"{basePath}/formations/{PlatformClient.Segment(what)}";
            var api = context.Api();
            if (stop) await api.PostAsync(path + "/actions/stop", null, cancellation);
            else await api.DeleteAsync(path, cancellation);
            var subject = what is null ? "all dynos" : what.Contains('.') ? $"dyno {what}" : $"{what} dynos";
            context.Out.Line($"{(stop ? "Stopping" : "Restarting")} {subject} on {name}... done");
        });
    }
}
