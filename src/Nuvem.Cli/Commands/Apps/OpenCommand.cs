using System.CommandLine;
using System.Diagnostics;
using Nuvem.Cli.Api;
using Nuvem.Cli.Output;

namespace Nuvem.Cli.Commands.Apps;

/// <summary><c>nuvem open [PATH]</c>: the app's web URL, opened in a browser when there is one, printed always.</summary>
public sealed class OpenCommand
{
    private readonly AppSelector app = new();
    private readonly Argument<string?> path = new("PATH") { Description = "Path to open, e.g. /admin", Arity = ArgumentArity.ZeroOrOne };

    public Command Build()
    {
        var command = new Command("open", "Open the app in a web browser");
        command.Aliases.Add("apps:open");
        command.Add(path);
        app.AddTo(command);
        return command.WithAction(async (parse, context, cancellation) =>
        {
            var name = app.Resolve(parse);
            var info = await context.Api().GetAsync($"/apps/{PlatformClient.Segment(name)}", cancellation);
            var url = Json.Text(info, "web_url").TrimEnd('/') + "/" + (parse.GetValue(path) ?? "").TrimStart('/');
            context.Out.Line(url);
            if (!context.Out.IsTerminal || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))) return;
            try { Process.Start(new ProcessStartInfo("xdg-open", [url]) { UseShellExecute = false })?.Dispose(); }
            catch (System.ComponentModel.Win32Exception) { } // no browser here: the URL is printed
        });
    }
}
