using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Logs;

/// <summary>
/// <c>nuvem logs [-n N] [-t] [-s app|heroku] [-d web.1] [-p web]</c>: asks for a log session
/// (<c>POST /apps/{app}/log-sessions</c>, as the heroku CLI does) and prints its Server-Sent Events, one log line each.
/// Without --tail it exits 0 when the server has sent the last N lines; with --tail it follows, reconnecting with
/// <c>Last-Event-ID</c> when the connection drops (and opening a new session when the old one has expired) until
/// Ctrl+C, which also exits 0.
/// </summary>
public sealed class LogsCommand
{
    private readonly AppSelector app = new();
    private readonly Option<int> num = new("--num", "-n") { Description = "Number of lines to show (the platform keeps 1,500)", DefaultValueFactory = _ => 100, HelpName = "N" };
    private readonly Option<bool> tail = new("--tail", "-t") { Description = "Keep printing new lines as they come" };
    private readonly Option<string?> source = new("--source", "-s") { Description = "Only lines from this source: app or heroku", HelpName = "SOURCE" };
    private readonly Option<string?> dyno = new("--dyno-name", "-d", "--dyno") { Description = "Only lines of this dyno (web.1) or component (router, api)", HelpName = "DYNO" };
    private readonly Option<string?> processType = new("--process-type", "-p") { Description = "Only lines of this process type (web)", HelpName = "TYPE" };
    private readonly Option<bool> forceColors = new("--force-colors") { Description = "Colour the output even when it is not a terminal" };

    public Command Build()
    {
        var command = new Command("logs", "Show the app's log: its output, the router's requests and the platform's events");
        app.AddTo(command);
        command.Add(num);
        command.Add(tail);
        command.Add(source);
        command.Add(dyno);
        command.Add(processType);
        command.Add(forceColors);
        return command.WithAction(RunAsync);
    }

    private async Task RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellation)
    {
        var lines = parse.GetValue(num);
        if (lines < 0) throw new CliException("--num must be 0 or more.");
        var follow = parse.GetValue(tail);
        var appName = app.Resolve(parse);
        var body = new JsonObject { ["lines"] = lines, ["tail"] = follow };
        if ((parse.GetValue(dyno) ?? parse.GetValue(processType)) is { Length: > 0 } which) body["dyno"] = which;
        if (parse.GetValue(source) is { Length: > 0 } from) body["source"] = from;

        var api = context.Api();
        var path = $"/apps/{PlatformClient.Segment(appName)}/log-sessions";
        var trust = context.Trust();
        using var http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = trust.Validate,
            AllowAutoRedirect = false,
            UseCookies = false,
        }) { Timeout = Timeout.InfiniteTimeSpan };
        var printer = new LogPrinter(context.Out, context.Out.Colour || parse.GetValue(forceColors));
        var stream = new EventStreamReader(printer.Print);

        try
        {
            var url = LogplexUrl(await api.PostAsync(path, body, cancellation));
            var failures = 0;
            while (true)
            {
                try
                {
                    var status = await stream.ReadAsync(http, url, cancellation);
                    if (!follow)
                    {
                        if (status != HttpStatusCode.OK) throw Failed(status);
                        return;
                    }
                    if (status == HttpStatusCode.OK) failures = 0;
                    else if (++failures > 10) throw Failed(status);
                    else if (status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
                    {
                        // The session expired: a new one resumes (Last-Event-ID) right after the last line we printed.
                        url = LogplexUrl(await api.PostAsync(path, body, cancellation));
                    }
                }
                catch (Exception e) when (follow && !cancellation.IsCancellationRequested && e is HttpRequestException or IOException)
                {
                    // The connection dropped (platform restarting, network): reconnect like EventSource does.
                }
                catch (HttpRequestException e)
                {
                    throw new CliException(TransportErrors.Describe(e, api.Host, trust));
                }
                await Task.Delay(stream.Retry, cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Ctrl+C ends a tail; that is how it is meant to stop.
        }
    }

    private static string LogplexUrl(JsonNode? session) =>
        Json.Text(session, "logplex_url") is { Length: > 0 } url ? url : throw new CliException("The platform did not return a logplex_url for the log session.");

    private static CliException Failed(HttpStatusCode status) => status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden
        ? new CliException("Log stream timed out. Please try again.")
        : new CliException($"Logs eventsource failed with: {(int)status} {status}");
}
