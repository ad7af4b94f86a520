using System.CommandLine;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands;

/// <summary>
/// Binds a command body to a command and owns the one place where failures become exit codes: known failures
/// print one Heroku-style line and exit 1; anything else is a bug, shown the same way (with a stack trace
/// when <c>NUVEM_DEBUG</c> is set) rather than as an unhandled-exception dump.
/// </summary>
public static class CommandAction
{
    public delegate Task Body(ParseResult parse, CommandContext context, CancellationToken cancellation);

    public static Command WithAction(this Command command, Body body)
    {
        command.SetAction((parse, cancellation) => RunAsync(parse, body, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, Body body, CancellationToken cancellation)
    {
        using var context = new CommandContext();
        try
        {
            await body(parse, context, cancellation);
            return 0;
        }
        catch (CliException e)
        {
            ErrorReporter.Error(e.Message);
            return e.ExitCode;
        }
        catch (PlatformApiException e)
        {
            ErrorReporter.Error(e.Message);
            return 1;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var debug = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NUVEM_DEBUG"));
            ErrorReporter.Error(debug ? e.ToString() : $"{e.Message} ({e.GetType().Name}; set NUVEM_DEBUG=1 for details)");
            return 1;
        }
    }
}
