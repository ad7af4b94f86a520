using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Nuvem.Tests.Infrastructure;

namespace Nuvem.Tests.HerokuCli;

/// <summary>
/// The unmodified heroku CLI pointed at a test server, as a user would set it up (reference section 4): a scratch HOME
/// (its ~/.netrc and ~/.gitconfig are the CLI's to write), telemetry, analytics and update checks off, particleboard at
/// the platform, the platform's CA for node and git, and every proxy variable at a <see cref="ProxyTrap"/>.
/// </summary>
public sealed partial class HerokuCliSession : IDisposable
{
    private readonly NuvemServer _server;

    public HerokuCliSession(NuvemServer server, string binary, ProxyTrap proxy)
    {
        _server = server;
        Binary = binary;
        Proxy = proxy;
        Home = System.IO.Directory.CreateTempSubdirectory("nuvem-heroku-home-").FullName;
    }

    public string Binary { get; }
    public ProxyTrap Proxy { get; }
    public string Home { get; }

    public sealed record Result(string Command, int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;

        public Result Succeeded()
        {
            Assert.True(ExitCode == 0, $"`heroku {Command}` exited {ExitCode}:\n{Output}");
            // A field the server left out shows up as the JavaScript values of nothing.
            Assert.DoesNotMatch(@"\bundefined\b|\bNaN\b|Invalid Date|Invalid number", Output);
            return this;
        }
    }

    /// <summary>The environment of the CLI and of the git it runs (and that runs it, as the credential helper).</summary>
    public void Configure(ProcessStartInfo start)
    {
        // Nothing from the machine's own Heroku, Nuvem, git or proxy set-up leaks in (this machine exports
        // GIT_SSL_CAINFO and NODE_EXTRA_CA_CERTS globally).
        foreach (var key in start.Environment.Keys.ToList())
        {
            var upper = key.ToUpperInvariant();
            if (upper.StartsWith("HEROKU_") || upper.StartsWith("NUVEM_") || upper.StartsWith("GIT_") || upper.StartsWith("XDG_")
                || upper.EndsWith("_PROXY") || upper is "NODE_EXTRA_CA_CERTS" or "NODE_OPTIONS" or "SSL_CERT_FILE" or "SSL_CERT_DIR" or "DISABLE_TELEMETRY")
                start.Environment.Remove(key);
        }
        var env = start.Environment;
        env["HOME"] = Home;
        env["HEROKU_HOST"] = _server.ApiUrl;
        env["HEROKU_PARTICLEBOARD_URL"] = _server.ApiUrl;
        // The data API (pg:info, pg:reset, pg:credentials…) is nuvemd's API too. The CLI takes HEROKU_DATA_HOST as a bare
        // host name and keeps HEROKU_HOST's scheme and port for it (a URL there would be looked up as a host name).
        env["HEROKU_DATA_HOST"] = new Uri(_server.ApiUrl).Host;
        env["HEROKU_BUILDPACK_REGISTRY_URL"] = _server.ApiUrl; // shorthands like heroku/python are looked up on the platform
        env["DISABLE_TELEMETRY"] = "true";
        env["HEROKU_SKIP_ANALYTICS"] = "1";
        env["HEROKU_DISABLE_AUTOUPDATE"] = "1";
        env["HEROKU_SKIP_NEW_VERSION_CHECK"] = "true";
        env["HEROKU_NETRC_WRITE"] = "true";
        env["NODE_EXTRA_CA_CERTS"] = _server.CaFile;
        env["GIT_SSL_CAINFO"] = _server.CaFile;
        env["GIT_CONFIG_NOSYSTEM"] = "1";
        env["GIT_TERMINAL_PROMPT"] = "0"; // without the credential helper git fails instead of asking
        // git finds `heroku git:credentials` (the helper the CLI puts in ~/.gitconfig) on PATH.
        env["PATH"] = Path.GetDirectoryName(Binary) + ":" + (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin");
        foreach (var proxy in new[] { "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy" }) env[proxy] = Proxy.Url;
        env["NO_PROXY"] = env["no_proxy"] = "localhost,127.0.0.1";
    }

    private ProcessStartInfo Start(string file, IEnumerable<string> args, string? workingDirectory)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? Home,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        Configure(start);
        return start;
    }

    /// <summary>Runs <c>heroku ARGS</c> to completion with empty stdin; ANSI colours are stripped from the output.</summary>
    public Task<Result> RunAsync(params string[] args) => RunInAsync(null, args);

    public async Task<Result> RunInAsync(string? workingDirectory, params string[] args)
    {
        var result = await Execute(Binary, args, workingDirectory, TimeSpan.FromSeconds(90));
        return result with { Command = string.Join(' ', args) };
    }

    /// <summary>Runs git (e.g. <c>git push heroku main</c>) as the user would, with the CLI's credential helper.</summary>
    public Task<Result> GitAsync(string workingDirectory, params string[] args) => Execute("git", args, workingDirectory, TimeSpan.FromMinutes(5));

    private async Task<Result> Execute(string file, string[] args, string? workingDirectory, TimeSpan timeout)
    {
        using var process = Process.Start(Start(file, args, workingDirectory))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{file} {string.Join(' ', args)}` did not finish within {timeout}:\n{await stdout}\n{await stderr}");
        }
        return new Result(string.Join(' ', args), process.ExitCode, Plain(await stdout), Plain(await stderr));
    }

    /// <summary>
    /// <c>heroku login -i</c>: its prompts read the terminal a line at a time, so each answer is written only once
    /// its prompt has appeared (all of stdin at once would go to the first prompt).
    /// </summary>
    public async Task<Result> LoginAsync(string email, string password)
    {
        using var process = Interactive(["login", "-i"], null, out var output);
        await output.WaitForAsync("Email", TimeSpan.FromSeconds(30));
        await process.StandardInput.WriteAsync(email + "\n");
        await process.StandardInput.FlushAsync();
        await output.WaitForAsync("Password", TimeSpan.FromSeconds(30));
        await process.StandardInput.WriteAsync(password + "\n");
        await process.StandardInput.FlushAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cancel.Token);
        await output.Completed;
        return new Result("login -i", process.ExitCode, Plain(output.Stdout), Plain(output.Stderr));
    }

    /// <summary>Starts a long-running command (<c>logs --tail</c>) whose output is read while it runs; dispose kills it.</summary>
    public RunningCommand Begin(params string[] args)
    {
        var process = Interactive(args, null, out var output);
        process.StandardInput.Close();
        return new RunningCommand(process, output);
    }

    private Process Interactive(string[] args, string? workingDirectory, out OutputReader output)
    {
        var process = Process.Start(Start(Binary, args, workingDirectory))!;
        output = new OutputReader(process);
        return process;
    }

    public sealed class RunningCommand(Process process, OutputReader output) : IDisposable
    {
        public string Output => Plain(output.Stdout + output.Stderr);

        public Task WaitForAsync(string text, TimeSpan timeout) => output.WaitForAsync(text, timeout);

        public void Dispose()
        {
            try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(10_000);
            process.Dispose();
        }
    }

    /// <summary>Reads stdout and stderr as they come (prompts end without a newline).</summary>
    public sealed class OutputReader
    {
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();

        public OutputReader(Process process)
        {
            Completed = Task.WhenAll(Pump(process.StandardOutput, _stdout), Pump(process.StandardError, _stderr));
        }

        public Task Completed { get; }
        public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
        public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

        private static async Task Pump(StreamReader reader, StringBuilder into)
        {
            var buffer = new char[4096];
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
                lock (into) into.Append(buffer, 0, read);
        }

        public async Task WaitForAsync(string text, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!Plain(Stdout + Stderr).Contains(text))
            {
                if (DateTime.UtcNow > deadline || Completed.IsCompleted && !Plain(Stdout + Stderr).Contains(text))
                    throw new TimeoutException($"Waited for \"{text}\"; the command printed:\n{Plain(Stdout + Stderr)}");
                await Task.Delay(100);
            }
        }
    }

    public static string Plain(string text) => Ansi().Replace(text, "");

    [GeneratedRegex(@"\x1B(?:\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])")]
    private static partial Regex Ansi();

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
