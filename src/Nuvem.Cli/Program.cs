using System.CommandLine;
using Nuvem.Cli.Commands;

namespace Nuvem.Cli;

public static class Program
{
    // System.CommandLine 2.0.0 ships with ProcessTerminationTimeout null (dotnet/command-line-api#2739), so Ctrl+C
    // would kill the process instead of cancelling the command's token; ask for its documented 2-second default.
    private static readonly InvocationConfiguration Invocation = new() { ProcessTerminationTimeout = TimeSpan.FromSeconds(2) };

    public static Task<int> Main(string[] args) =>
        NuvemRootCommand.Create().Parse(args, NuvemRootCommand.ParserConfiguration).InvokeAsync(Invocation);
}
