using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Nuvem.Tests.HerokuCli;

/// <summary>
/// The official <c>heroku</c> package from npm at a pinned version, installed once into a cache outside the repository
/// (<c>/var/tmp/nuvem-heroku-cli/VERSION</c>) and reused by later test runs. It is run unmodified.
/// </summary>
public static class HerokuCliPackage
{
    public const string Version = "11.10.0";

    private static readonly SemaphoreSlim Installing = new(1, 1);
    private static string? _installed;

    public static string Directory { get; } = Path.Combine(CacheRoot(), Version);

    /// <summary>The package's own launcher, <c>node_modules/.bin/heroku</c>.</summary>
    public static string Binary => Path.Combine(Directory, "node_modules", ".bin", "heroku");

    public static string BinDirectory => Path.Combine(Directory, "node_modules", ".bin");

    /// <summary>Installs the package unless the cache already holds it; needs the npm registry the first time (~1 min).</summary>
    public static async Task<string> EnsureInstalledAsync()
    {
        if (_installed is not null) return _installed;
        await Installing.WaitAsync();
        try
        {
            if (_installed is not null) return _installed;
            if (!IsInstalled(Directory))
            {
                // Into a fresh directory first, then renamed: an interrupted install never looks like a finished one.
                var staging = Directory + ".installing-" + Guid.NewGuid().ToString("N")[..8];
                System.IO.Directory.CreateDirectory(staging);
                var npm = new ProcessStartInfo("npm", ["install", "--no-audit", "--no-fund", "--prefix", staging, $"heroku@{Version}"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                using var process = Process.Start(npm)!;
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                await process.WaitForExitAsync(timeout.Token);
                if (process.ExitCode != 0 || !IsInstalled(staging))
                    throw new InvalidOperationException($"npm install heroku@{Version} failed ({process.ExitCode}); it needs the npm registry the first time:\n{await stdout}\n{await stderr}");
                try { System.IO.Directory.Move(staging, Directory); }
                catch (IOException) when (IsInstalled(Directory)) { System.IO.Directory.Delete(staging, recursive: true); } // another run won the race
            }
            return _installed = Binary;
        }
        finally
        {
            Installing.Release();
        }
    }

    private static bool IsInstalled(string directory)
    {
        var manifest = Path.Combine(directory, "node_modules", "heroku", "package.json");
        if (!File.Exists(manifest) || !File.Exists(Path.Combine(directory, "node_modules", ".bin", "heroku"))) return false;
        return JsonNode.Parse(File.ReadAllText(manifest))?["version"]?.GetValue<string>() == Version;
    }

    private static string CacheRoot()
    {
        const string shared = "/var/tmp/nuvem-heroku-cli";
        try
        {
            System.IO.Directory.CreateDirectory(shared);
            var probe = Path.Combine(shared, ".probe-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return shared;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Path.Combine(Path.GetTempPath(), "nuvem-heroku-cli");
        }
    }
}
