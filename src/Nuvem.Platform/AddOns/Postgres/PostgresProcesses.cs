using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// Runs the PostgreSQL programs: the server's own (initdb, pg_ctl) as its unprivileged OS user (postgres refuses to run
/// as root), clients (pg_dump) as the platform itself. Their environment is the platform's without PG* variables, so
/// that an operator's PGHOST or PGPASSWORD never points a tool elsewhere.
/// </summary>
public sealed class PostgresProcesses
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public bool Succeeded => ExitCode == 0;
        public string Message => (string.IsNullOrWhiteSpace(Error) ? Output : Error).Trim();
    }

    /// <param name="serverUser">The OS user of the server; used only when the platform runs as root.</param>
    public PostgresProcesses(string serverUser)
    {
        Privileged = Environment.IsPrivilegedProcess;
        PlatformUser = Environment.UserName;
        if (!Privileged) { ServerUser = PlatformUser; return; }
        var entry = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 3 && f[0] == serverUser)
            ?? throw new InvalidOperationException($"There is no OS user {serverUser} to run PostgreSQL as (apt-get install postgresql makes it).");
        ServerUser = serverUser;
        Uid = int.Parse(entry[2]);
        Gid = int.Parse(entry[3]);
    }

    /// <summary>Whether the platform runs as root (and so runs the server as <see cref="ServerUser"/>).</summary>
    public bool Privileged { get; }
    public string PlatformUser { get; }
    public string ServerUser { get; }
    public int Uid { get; } = -1;
    public int Gid { get; } = -1;

    /// <summary>Runs <paramref name="file"/> as the server's user.</summary>
    public Task<Result> AsServerAsync(string file, IEnumerable<string> args, string workingDirectory, CancellationToken cancellation = default) =>
        Privileged
            ? RunAsync("setpriv", [$"--reuid={Uid}", $"--regid={Gid}", "--init-groups", "--", file, .. args], workingDirectory, cancellation)
            : RunAsync(file, args, workingDirectory, cancellation);

    public async Task<Result> RunAsync(string file, IEnumerable<string> args, string workingDirectory, CancellationToken cancellation = default)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        start.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        // pg_ctl's server redirects its own output to the log file, so these pipes close when pg_ctl exits.
        var output = process.StandardOutput.ReadToEndAsync(cancellation);
        var error = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Gives <paramref name="path"/> (in a directory only root writes, or one just made) to the server's user and group.</summary>
    public void GiveToServer(string path, bool group = false)
    {
        if (!Privileged) return;
        if (lchown(path, group ? 0 : Uid, Gid) != 0)
            throw new IOException($"chown of {path} failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int lchown(string path, int owner, int group);
}
