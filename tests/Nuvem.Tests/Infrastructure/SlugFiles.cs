using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Nuvem.Tests.Infrastructure;

/// <summary>A stored slug as the tests see it: its entries, and the app unpacked from it, run as a dyno would.</summary>
public static class SlugFiles
{
    public static string PathOf(NuvemServer server, string checksum)
    {
        var hex = checksum["SHA256:".Length..];
        return Path.Combine(server.DataDir, "slugs", "sha256", hex[..2], hex + ".tgz");
    }

    /// <summary>The slug's entry names (<c>./app/…</c>, directories ending in '/').</summary>
    public static List<string> Entries(NuvemServer server, string checksum)
    {
        using var file = File.OpenRead(PathOf(server, checksum));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var names = new List<string>();
        while (tar.GetNextEntry() is { } entry) names.Add(entry.Name);
        return names;
    }

    /// <summary>Unpacks the slug with tar into a new directory (not /app: the app must not care where it is).</summary>
    public static UnpackedSlug Unpack(NuvemServer server, string checksum)
    {
        var root = Directory.CreateTempSubdirectory("nuvem-slug-").FullName;
        var tar = Process.Start(new ProcessStartInfo("tar", ["-xzf", PathOf(server, checksum), "-C", root]) { RedirectStandardError = true })!;
        var error = tar.StandardError.ReadToEnd();
        tar.WaitForExit();
        Assert.True(tar.ExitCode == 0, $"tar -xzf failed: {error}");
        return new UnpackedSlug(root);
    }
}

/// <summary>An app unpacked from a slug into a temporary directory, removed on dispose.</summary>
public sealed class UnpackedSlug(string root) : IDisposable
{
    public string AppDir { get; } = Path.Combine(root, "app");

    /// <summary>
    /// Runs a command the way a dyno does: <c>sh -c</c> in the app directory, HOME being that directory,
    /// after sourcing <c>.profile.d/*.sh</c>, with a fresh environment (PORT among it).
    /// </summary>
    public Process Start(string command, IReadOnlyDictionary<string, string>? environment, StringBuilder output)
    {
        var start = new ProcessStartInfo("sh")
        {
            WorkingDirectory = AppDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"for f in .profile.d/*.sh; do [ -f \"$f\" ] && . \"./$f\"; done\n{command}");
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        start.Environment["HOME"] = AppDir;
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs a command to its end (at most <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(string command, TimeSpan timeout)
    {
        var output = new StringBuilder();
        using var process = Start(command, null, output);
        using var deadline = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(deadline.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new TimeoutException($"`{command}` ran past {timeout}:\n{output}"); }
        process.WaitForExit(); // drains the output
        lock (output) return (process.ExitCode, output.ToString());
    }

    /// <summary>
    /// Starts a web command with PORT set to a free loopback port, waits (bounded) until GET / on 127.0.0.1
    /// answers, returns the body, and kills the process and its children whatever happened.
    /// </summary>
    public async Task<string> GetRootAsync(string webCommand, TimeSpan timeout)
    {
        var port = Repo.FreePort();
        var output = new StringBuilder();
        using var process = Start(webCommand, new Dictionary<string, string> { ["PORT"] = port.ToString() }, output);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                if (process.HasExited)
                {
                    process.WaitForExit();
                    lock (output) throw new InvalidOperationException($"`{webCommand}` exited with {process.ExitCode}:\n{output}");
                }
                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{port}/");
                    var body = await response.Content.ReadAsStringAsync();
                    Assert.True(response.IsSuccessStatusCode, $"GET / answered {(int)response.StatusCode}: {body}");
                    return body;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200);
                }
                catch (HttpRequestException e)
                {
                    lock (output) throw new TimeoutException($"`{webCommand}` did not answer on port {port} within {timeout}: {e.Message}\n{output}");
                }
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
