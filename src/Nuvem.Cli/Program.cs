using System.CommandLine;
using Nuvem.Cli.Commands;

namespace Nuvem.Cli;

public static class Program
{
    public static Task<int> Main(string[] args) =>
        NuvemRootCommand.Create().Parse(args, NuvemRootCommand.ParserConfiguration).InvokeAsync();
}
