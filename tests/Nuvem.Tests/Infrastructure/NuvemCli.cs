using System.Diagnostics;

namespace Nuvem.Tests.Infrastructure;

/// <summary>
/// Runs the real <c>nuvem</c> binary as a user would, with its own scratch HOME (so ~/.netrc and the CLI's
/// config are the test's own) pointed at a test server.
/// </summary>
public sealed class NuvemCli : IDisposable
{
    private readonly NuvemServer _server;
    private readonly string _scratchDirectory;

    public NuvemCli(NuvemServer server)
    {
        _server = server;
        Home = Directory.CreateTempSubdirectory("nuvem-cli-home-").FullName;
        _scratchDirectory = Directory.CreateTempSubdirectory("nuvem-cli-cwd-").FullName;
        WorkingDirectory = _scratchDirectory;
    }

    public string Home { get; }
    /// <summary>Where the CLI runs; a scratch directory unless a test points it elsewhere (which it then owns).</summary>
    public string WorkingDirectory { get; set; }
    public string NetrcPath => Path.Combine(Home, ".netrc");
    public Dictionary<string, string?> Environment { get; } = new();

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public Result Succeeded()
        {
            Assert.True(ExitCode == 0, $"nuvem exited {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            return this;
        }

        public Result Failed()
        {
            Assert.True(ExitCode != 0, $"nuvem should have failed\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            return this;
        }
    }

    public Task<Result> RunWithInputAsync(string stdin, params string[] args) => RunStreamingAsync(stdin, onStdoutLine: null, args);

    /// <param name="onStdoutLine">Sees each stdout line the moment the CLI writes it (for testing that output is live).</param>
    public async Task<Result> RunStreamingAsync(string stdin, Action<string>? onStdoutLine, params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = onStdoutLine is null ? process.StandardOutput.ReadToEndAsync() : ReadLinesAsync(process.StandardOutput, onStdoutLine);
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts nuvem and leaves it running (for commands that do not end by themselves, like <c>logs --tail</c>);
    /// stdin, stdout and stderr are redirected.</summary>
    public Process Start(params string[] args) => Process.Start(StartInfo(args))!;

    private ProcessStartInfo StartInfo(string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = WorkingDirectory,
        };
        start.ArgumentList.Add(Repo.CliDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var name in new[] { "NUVEM_API_KEY", "NUVEM_APP", "NUVEM_HOST", "NUVEM_CA_FILE", "NUVEM_DATA_DIR", "XDG_CONFIG_HOME", "GIT_DIR" })
            start.Environment.Remove(name);
        start.Environment["HOME"] = Home;
        start.Environment["NO_COLOR"] = "1";
        start.Environment["NUVEM_HOST"] = _server.ApiUrl;
        start.Environment["NUVEM_CA_FILE"] = _server.CaFile;
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        foreach (var (key, value) in Environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        return start;
    }

    public Task<Result> RunAsync(params string[] args) => RunWithInputAsync("", args);

    private static async Task<string> ReadLinesAsync(StreamReader reader, Action<string> onLine)
    {
        var all = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            all.Append(line).Append('\n');
            onLine(line);
        }
        return all.ToString();
    }

    /// <summary>Logs in as the admin through the CLI's own prompts (email and password on stdin).</summary>
    public Task<Result> LoginAsync(string email = NuvemServer.AdminEmail, string password = NuvemServer.AdminPassword) =>
        RunWithInputAsync($"{email}\n{password}\n", "login");

    public void Dispose()
    {
        foreach (var dir in new[] { Home, _scratchDirectory })
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
