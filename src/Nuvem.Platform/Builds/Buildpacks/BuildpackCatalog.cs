using System.Security.Cryptography;
using System.Text;

namespace Nuvem.Platform.Builds.Buildpacks;

/// <summary>
/// Finds buildpacks by the names users give them: a built-in name (<c>nodejs</c>, <c>python</c>, <c>dotnet</c>, <c>procfile</c>; also <c>nuvem/NAME</c> or <c>heroku/NAME</c>),
/// a directory on the platform host (<c>/srv/buildpacks/foo</c> or <c>file:///srv/buildpacks/foo</c>), or a
/// git URL (fetched for each build, <c>#ref</c> picks a branch or tag).
/// </summary>
public sealed class BuildpackCatalog
{
    private readonly string _installDir;

    /// <summary>
    /// Detection order when an app names no buildpacks; the first that detects builds the app. The Procfile
    /// buildpack comes last: a Node.js app with a Procfile is still built as a Node.js app.
    /// </summary>
    public static readonly IReadOnlyList<string> DetectionOrder = ["nodejs", "python", "dotnet", "procfile"];

    /// <param name="shippedDir">Where the built-in buildpacks ship (beside the binaries).</param>
    /// <param name="dataDir">The platform's data directory; built-ins are installed below it with their modes fixed.</param>
    public BuildpackCatalog(string shippedDir, string dataDir)
    {
        _installDir = Path.Combine(dataDir, "buildpacks", "builtin");
        // Build steps run as app uids: buildpacks must be readable by everyone (they hold no secrets).
        Directory.CreateDirectory(Path.Combine(dataDir, "buildpacks"), (UnixFileMode)Convert.ToInt32("755", 8));
        foreach (var name in DetectionOrder)
        {
            var source = Path.Combine(shippedDir, name);
            if (!Directory.Exists(source)) throw new DirectoryNotFoundException($"Built-in buildpack {name} is missing from {shippedDir}.");
            var target = Path.Combine(_installDir, name);
            CopyDirectory(source, target);
            foreach (var script in Directory.EnumerateFiles(Path.Combine(target, "bin")))
                File.SetUnixFileMode(script, File.GetUnixFileMode(script) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }

    public IReadOnlyList<Buildpack> BuiltIns => DetectionOrder.Select(n => new Buildpack($"nuvem/{n}", n, Path.Combine(_installDir, n))).ToList();

    /// <param name="workDir">A directory of this build where git buildpacks are fetched.</param>
    public async Task<Buildpack> ResolveAsync(string url, string workDir, Func<string, Task> log, CancellationToken cancellation)
    {
        var name = url.Trim();
        var builtIn = name.StartsWith("nuvem/", StringComparison.Ordinal) ? name[6..] : name.StartsWith("heroku/", StringComparison.Ordinal) ? name[7..] : name;
        if (DetectionOrder.Contains(builtIn)) return new Buildpack(url, builtIn, Path.Combine(_installDir, builtIn));

        if (name.StartsWith('/') || (name.StartsWith("file://", StringComparison.Ordinal) && !name.EndsWith(".git", StringComparison.Ordinal) && !name.Contains('#')))
        {
            var directory = name.StartsWith("file://", StringComparison.Ordinal) ? new Uri(name).LocalPath : name;
            if (!Directory.Exists(directory)) throw new BuildFailedException($"Buildpack directory {directory} does not exist on the platform host.");
            if (!File.Exists(Path.Combine(directory, "bin", "compile"))) throw new BuildFailedException($"Buildpack {directory} has no bin/compile.");
            // A copy for this build: readable by the build's uid wherever the original lives, and unchanged while it runs.
            var copy = Path.Combine(workDir, "buildpacks", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16]);
            CopyDirectory(directory, copy);
            return new Buildpack(url, Path.GetFileName(directory.TrimEnd('/')), copy);
        }

        if (Uri.TryCreate(name, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" or "git" or "ssh" or "file")
        {
            var reference = uri.Fragment.TrimStart('#');
            var cloneUrl = uri.GetLeftPart(UriPartial.Query);
            var target = Path.Combine(workDir, "buildpacks", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..16]);
            await log($"-----> Fetching buildpack {name}");
            var args = new List<string> { "clone", "--quiet", "--depth", "1" };
            if (reference.Length > 0) args.AddRange(["--branch", reference]);
            args.AddRange([cloneUrl, target]);
            var result = await BuildProcess.RunAsync("git", args, workDir, GitEnvironment(), TimeSpan.FromMinutes(5), onLine: null, cancellation);
            if (result.ExitCode != 0) throw new BuildFailedException($"Could not fetch buildpack {name} (git clone exited {result.ExitCode}).");
            if (!File.Exists(Path.Combine(target, "bin", "compile"))) throw new BuildFailedException($"Buildpack {name} has no bin/compile.");
            return new Buildpack(url, Path.GetFileNameWithoutExtension(uri.AbsolutePath.TrimEnd('/')), target);
        }

        throw new BuildFailedException(
            $"Unknown buildpack '{name}'. Use a built-in name ({string.Join(", ", DetectionOrder)}), a directory on the platform host, or a git URL.");
    }

    private static Dictionary<string, string> GitEnvironment() => new()
    {
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = Path.GetTempPath(),
        ["GIT_TERMINAL_PROMPT"] = "0",
    };

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target, (UnixFileMode)Convert.ToInt32("755", 8));
        foreach (var file in Directory.EnumerateFiles(source))
        {
            var destination = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, destination, overwrite: true);
            File.SetUnixFileMode(destination, File.GetUnixFileMode(file) | UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        foreach (var directory in Directory.EnumerateDirectories(source)) CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
    }
}
