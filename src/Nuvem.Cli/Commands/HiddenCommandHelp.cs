using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Nuvem.Cli.Commands;

/// <summary>
/// System.CommandLine prints nothing for <c>--help</c> on a hidden command. Hidden commands (git's credential
/// helper) stay out of the command list, but someone who finds one in their git config should still be able to
/// ask what it does; so the help action shows the command it was asked about, hidden or not.
/// </summary>
public sealed class HiddenCommandHelp(HelpAction inner) : SynchronousCommandLineAction
{
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction standard) help.Action = new HiddenCommandHelp(standard);
    }

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.CommandResult.Command.Hidden = false;
        return inner.Invoke(parseResult);
    }
}
