using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.Dynos;

/// <summary>One-off dynos: detached (output to the log) and attached over the rendezvous protocol of `heroku run`.</summary>
[Collection(ServerCollection.Name)]
public sealed class OneOffDynoTests(ServerFixture fixture)
{
    private NuvemServer Server => fixture.Server;

    private async Task<string> DeployedApp(ApiClient api)
    {
        var app = await fixture.NewAppAsync(api, "oneoff");
        using var source = new GitWorkspace(Server).Write("Procfile", "web: sleep 1000\n").Write("hello.txt", "from the slug\n");
        source.Commit();
        (await source.PushAsync(app)).Succeeded();
        await api.Patch($"/apps/{app}/formation", new { updates = new[] { new { type = "web", quantity = 0 } } });
        return app;
    }

    /// <summary>TLS to the rendezvous port, trusting the platform's CA, and the secret line.</summary>
    private async Task<(TcpClient Tcp, SslStream Tls)> ConnectAsync(Uri url)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port);
        var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, errors) => Server.Trusts(certificate, errors));
        await tls.AuthenticateAsClientAsync(url.Host);
        await tls.WriteAsync(Encoding.ASCII.GetBytes(url.AbsolutePath.TrimStart('/') + "\r\n"));
        return (tcp, tls);
    }

    /// <summary>The client side of the protocol, as the heroku CLI does it (reference section 7).</summary>
    private async Task<string> Attach(string attachUrl, string stdin)
    {
        var url = new Uri(attachUrl);
        Assert.Equal("rendezvous", url.Scheme);
        var (tcp, tls) = await ConnectAsync(url);
        using var _ = tcp;
        await using var __ = tls;
        var buffer = new byte[4096];
        var first = await tls.ReadAsync(buffer);
        Assert.Equal("rendezvous\r\n", Encoding.ASCII.GetString(buffer, 0, first)); // its own chunk: the CLI discards it
        await tls.WriteAsync(Encoding.UTF8.GetBytes(stdin + "\u0004"));

        var output = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int read;
        while ((read = await tls.ReadAsync(buffer, timeout.Token)) > 0) output.Write(buffer, 0, read);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task An_attached_run_gets_stdin_and_returns_output_and_the_exit_status_marker()
    {
        using var api = Server.Api();
        var app = await DeployedApp(api);
        await api.Patch($"/apps/{app}/config-vars", new { GREETING = "ola" });
        // What `heroku run -x` sends: the command with the exit-status marker appended, and TERM in env.
        var command = "read line; echo \"got $line from $DYNO ($GREETING, $TERM)\"; cat hello.txt; echo oops >&2; exit 3 ; echo \"\uFFFF heroku-command-exit-status: $?\"";
        var created = await api.Post($"/apps/{app}/dynos", new { attach = true, command, env = new { TERM = "xterm" } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var name = created.Json["name"]!.GetValue<string>();
        Assert.Matches("^run\\.[0-9]{4}$", name);
        Assert.Equal("run", created.Json["type"]!.GetValue<string>());

        var output = await Attach(created.Json["attach_url"]!.GetValue<string>(), "hello\n");
        Assert.Contains($"got hello from {name} (ola, xterm)", output);
        Assert.Contains("from the slug", output);
        Assert.Contains("oops", output);

        // `exit 3` ends the shell before the marker: with -x the CLI would fail without it, so check the marker path too.
        var marked = await api.Post($"/apps/{app}/dynos", new { attach = true, command = "sh -c 'exit 4'; echo \"\uFFFF heroku-command-exit-status: $?\"" });
        Assert.Contains("\uFFFF heroku-command-exit-status: 4", await Attach(marked.Json["attach_url"]!.GetValue<string>(), ""));
        await DynoApps.Eventually(() => api.Get($"/apps/{app}/dynos"), r => r.Array.All(d => d!["type"]!.GetValue<string>() != "run"), what: "one-offs gone");
    }

    [Fact]
    public async Task With_a_terminal_the_command_runs_under_a_pseudo_terminal()
    {
        using var api = Server.Api();
        var app = await DeployedApp(api);
        // The heroku CLI sends COLUMNS and LINES (as numbers) exactly when its stdin is a terminal.
        var created = await api.Post($"/apps/{app}/dynos", new { attach = true, command = "tty; echo cols=$COLUMNS", env = new { TERM = "xterm", COLUMNS = 120, LINES = 40 } });
        var output = await Attach(created.Json["attach_url"]!.GetValue<string>(), "");
        Assert.Matches(@"/dev/pts/\d+", output);
        Assert.Contains("cols=120", output);

        var plain = await api.Post($"/apps/{app}/dynos", new { attach = true, command = "tty || true" });
        Assert.Contains("not a tty", await Attach(plain.Json["attach_url"]!.GetValue<string>(), ""));
    }

    [Fact]
    public async Task A_detached_run_is_listed_while_it_runs_and_logs_its_output()
    {
        using var api = Server.Api();
        var app = await DeployedApp(api);
        var created = await api.Post($"/apps/{app}/dynos", new { attach = false, command = "echo detached-$DYNO-says-hi; sleep 2" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Null(created.Json["attach_url"]);
        var name = created.Json["name"]!.GetValue<string>();
        var listed = (await api.Get($"/apps/{app}/dynos")).Array.Single(d => d!["name"]!.GetValue<string>() == name);
        Assert.Equal("up", listed!["state"]!.GetValue<string>());
        await DynoApps.Eventually(() => DynoApps.Logs(Server, api, app), o => o.Contains($"app[{name}]: detached-{name}-says-hi"), what: "the run's output in the log");
        await DynoApps.Eventually(() => api.Get($"/apps/{app}/dynos"), r => r.Array.All(d => d!["name"]!.GetValue<string>() != name), what: "the run to finish");
    }

    [Fact]
    public async Task Bad_runs_are_refused_clearly()
    {
        using var api = Server.Api();
        var fresh = await fixture.NewAppAsync(api, "norelease");
        var noRelease = await api.Post($"/apps/{fresh}/dynos", new { command = "true" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noRelease.Status);
        Assert.Contains("deploy it first", noRelease.Json["message"]!.GetValue<string>());
        var app = await DeployedApp(api);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Post($"/apps/{app}/dynos", new { })).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Post($"/apps/{app}/dynos", new { command = "true", size = "Enormous" })).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await api.Post($"/apps/{app}/dynos", new { command = "true", env = new { BAD_VALUE = true } })).Status);

        // A made-up secret gets an error, not a session.
        var (tcp, tls) = await ConnectAsync(new Uri($"rendezvous://localhost:{Server.RendezvousPort}/not-a-secret"));
        using (tcp)
        await using (tls)
        {
            var reply = await new StreamReader(tls).ReadToEndAsync();
            Assert.StartsWith("error:", reply);
        }
    }
}
