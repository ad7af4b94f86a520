using System.Diagnostics;

namespace Nuvem.Tests.Infrastructure;

/// <summary>A local git repository for an app's source, pushed to the platform with real git over HTTPS.</summary>
public sealed class GitWorkspace : IDisposable
{
    private readonly NuvemServer _server;

    public GitWorkspace(NuvemServer server, string? copyFrom = null)
    {
        _server = server;
        Directory = System.IO.Directory.CreateTempSubdirectory("nuvem-src-").FullName;
        if (copyFrom is not null) CopyTree(copyFrom, Directory);
        Git("init", "-q", "-b", "main");
    }

    public string Directory { get; }

    /// <summary>Give git the platform's CA through GIT_SSL_CAINFO (default); off, git must find it in its own config.</summary>
    public bool CaFromEnvironment { get; set; } = true;

    /// <summary>More variables for every git process (null removes one), e.g. HOME of a CLI whose credential helper git runs.</summary>
    public Dictionary<string, string?> Environment { get; } = new();

    public sealed record PushResult(int ExitCode, string Output)
    {
        public PushResult Succeeded()
        {
            Assert.True(ExitCode == 0, $"git push failed ({ExitCode}):\n{Output}");
            return this;
        }

        public PushResult Rejected()
        {
            Assert.True(ExitCode != 0, $"git push should have been rejected:\n{Output}");
            return this;
        }
    }

    public GitWorkspace Write(string path, string content, bool executable = false)
    {
        var full = Path.Combine(Directory, path);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content.Replace("\r\n", "\n"));
        if (executable) File.SetUnixFileMode(full, File.GetUnixFileMode(full) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return this;
    }

    /// <returns>The new commit's sha.</returns>
    public string Commit(string message = "change")
    {
        Git("add", "-A");
        Git("-c", "user.email=dev@nuvem.test", "-c", "user.name=Dev", "commit", "-q", "--allow-empty", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    public string RemoteUrl(string app, string? token) =>
        token is null ? $"https://localhost:{_server.ApiPort}/{app}.git" : $"https://git:{token}@localhost:{_server.ApiPort}/{app}.git";

    public Task<PushResult> PushAsync(string app, string refspec = "main", string? token = null) =>
        RunAsync(["push", RemoteUrl(app, token ?? _server.AdminToken), refspec]);

    public async Task<PushResult> RunAsync(IEnumerable<string> args)
    {
        var start = Start(args);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new PushResult(process.ExitCode, await stdout + await stderr);
    }

    public string Git(params string[] args)
    {
        using var process = Process.Start(Start(args))!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
    }

    private ProcessStartInfo Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The platform's CA, and nothing from the developer's own git set-up.
        if (CaFromEnvironment) start.Environment["GIT_SSL_CAINFO"] = _server.CaFile;
        else start.Environment.Remove("GIT_SSL_CAINFO");
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment.Remove("GIT_ASKPASS");
        start.Environment.Remove("SSH_ASKPASS");
        foreach (var (key, value) in Environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        return start;
    }

    private static void CopyTree(string source, string target)
    {
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in System.IO.Directory.EnumerateFiles(source))
        {
            var destination = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, destination);
            File.SetUnixFileMode(destination, File.GetUnixFileMode(file));
        }
        foreach (var directory in System.IO.Directory.EnumerateDirectories(source))
            CopyTree(directory, Path.Combine(target, Path.GetFileName(directory)));
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
