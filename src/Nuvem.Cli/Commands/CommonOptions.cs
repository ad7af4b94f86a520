using System.CommandLine;

namespace Nuvem.Cli.Commands;

/// <summary>Options that many commands share. Each call makes a new instance: an option belongs to the one command it is added to.</summary>
public static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print the API's JSON instead of formatted text" };
}
