using Nuvem.Platform.Builds.Runtime;

namespace Nuvem.Platform.Builds.Buildpacks;

/// <summary>
/// A buildpack as a user named it, checked on the platform before the build dyno starts: a built-in, a directory from
/// the admin's allow-list, or a git URL that the build dyno will fetch itself.
/// </summary>
/// <param name="HostDirectory">A built-in's or an allow-listed directory's path on the host (platform or admin files).</param>
/// <param name="GitUrl">A git buildpack's repository (without the <c>#ref</c>); fetched inside the build dyno.</param>
public sealed record BuildpackChoice(string Url, string Name, bool BuiltIn, string? HostDirectory, string? GitUrl, string? GitRef);

/// <summary>
/// Finds buildpacks by the names users give them: a built-in name (<c>nodejs</c>, <c>python</c>, <c>dotnet</c>, <c>procfile</c>;
/// also <c>nuvem/NAME</c> or <c>heroku/NAME</c>), a directory on the platform host that the admin allowed
/// (NUVEM_BUILDPACK_DIRS; <c>/srv/buildpacks/foo</c> or <c>file:///srv/buildpacks/foo</c>), or a git URL over https,
/// http or git (<c>#ref</c> picks a branch or tag), fetched inside the build dyno for each build — so the platform's
/// host never connects where a tenant says, and never runs git on what a tenant serves.
/// </summary>
public sealed class BuildpackCatalog
{
    private readonly string _installDir;
    private readonly IReadOnlyList<string> _allowedDirectories;

    /// <summary>
    /// Detection order when an app names no buildpacks; the first that detects builds the app. The Procfile
    /// buildpack comes last: a Node.js app with a Procfile is still built as a Node.js app.
    /// </summary>
    public static readonly IReadOnlyList<string> DetectionOrder = ["nodejs", "python", "dotnet", "procfile"];

    /// <param name="shippedDir">Where the built-in buildpacks ship (beside the binaries).</param>
    /// <param name="dataDir">The platform's data directory; built-ins are installed below it with their modes fixed.</param>
    /// <param name="allowedDirectories">Directories (and what is below them) an app may name as its buildpack.</param>
    public BuildpackCatalog(string shippedDir, string dataDir, IReadOnlyList<string>? allowedDirectories = null)
    {
        _installDir = Path.Combine(dataDir, "buildpacks", "builtin");
        _allowedDirectories = allowedDirectories ?? [];
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

    /// <summary>Where the built-ins are installed on the host (bound read-only into build dynos).</summary>
    public string BuiltInDirectory => _installDir;

    public IReadOnlyList<BuildpackChoice> BuiltIns =>
        DetectionOrder.Select(n => new BuildpackChoice($"nuvem/{n}", n, true, Path.Combine(_installDir, n), null, null)).ToList();

    /// <summary>Checks a buildpack name on the platform side; a git buildpack is only fetched later, in the build dyno.</summary>
    public BuildpackChoice Choose(string url)
    {
        var name = url.Trim();
        var builtIn = name.StartsWith("nuvem/", StringComparison.Ordinal) ? name[6..] : name.StartsWith("heroku/", StringComparison.Ordinal) ? name[7..] : name;
        if (DetectionOrder.Contains(builtIn)) return new BuildpackChoice(url, builtIn, true, Path.Combine(_installDir, builtIn), null, null);

        if (name.StartsWith('/') || (name.StartsWith("file://", StringComparison.Ordinal) && !name.EndsWith(".git", StringComparison.Ordinal) && !name.Contains('#')))
        {
            var directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(name.StartsWith("file://", StringComparison.Ordinal) ? new Uri(name).LocalPath : name));
            if (!_allowedDirectories.Any(allowed => directory == allowed || directory.StartsWith(allowed + "/", StringComparison.Ordinal)))
                throw new BuildFailedException($"Buildpack directory {directory} is not allowed on this platform: an admin lists the directories apps may use in NUVEM_BUILDPACK_DIRS" +
                                               (_allowedDirectories.Count == 0 ? " (none are listed)." : $" ({string.Join(":", _allowedDirectories)})."));
            if (!Directory.Exists(directory)) throw new BuildFailedException($"Buildpack directory {directory} does not exist on the platform host.");
            if (!File.Exists(Path.Combine(directory, "bin", "compile"))) throw new BuildFailedException($"Buildpack {directory} has no bin/compile.");
            return new BuildpackChoice(url, Path.GetFileName(directory), false, directory, null, null);
        }

        if (Uri.TryCreate(name, UriKind.Absolute, out var uri))
        {
            if (uri.Scheme is not ("https" or "http" or "git"))
                throw new BuildFailedException($"Buildpack {name}: git buildpacks are fetched over https, http or git, not {uri.Scheme}.");
            var reference = Uri.UnescapeDataString(uri.Fragment.TrimStart('#'));
            if (reference.StartsWith('-')) throw new BuildFailedException($"Buildpack {name}: '{reference}' is not a branch or tag name.");
            return new BuildpackChoice(url, Path.GetFileNameWithoutExtension(uri.AbsolutePath.TrimEnd('/')), false, null, uri.GetLeftPart(UriPartial.Query),
                reference.Length > 0 ? reference : null);
        }

        throw new BuildFailedException(
            $"Unknown buildpack '{name}'. Use a built-in name ({string.Join(", ", DetectionOrder)}), an allowed directory on the platform host, or a git URL.");
    }

    /// <summary>The chosen buildpack as the build dyno's steps see it; a git buildpack is fetched by a step of the dyno's own.</summary>
    public async Task<Buildpack> ResolveAsync(BuildpackChoice choice, IBuildDyno dyno, IReadOnlyDictionary<string, string> environment,
        Func<string, Task> log, CancellationToken cancellation)
    {
        if (choice.HostDirectory is { } host)
        {
            var inside = choice.BuiltIn ? $"{dyno.Paths.BuiltInBuildpacks}/{choice.Name}" : dyno.Paths.BuildpackDirectory(host);
            return new Buildpack(choice.Url, choice.Name, inside,
                HasDetect: File.Exists(Path.Combine(host, "bin", "detect")), HasRelease: File.Exists(Path.Combine(host, "bin", "release")));
        }

        await log($"-----> Fetching buildpack {choice.Url}");
        var target = $"{dyno.Paths.Home}/buildpacks/{Guid.NewGuid():N}";
        var gitEnvironment = new Dictionary<string, string>(environment) { ["GIT_TERMINAL_PROMPT"] = "0", ["GIT_CONFIG_NOSYSTEM"] = "1" };
        List<string> clone = ["git", "clone", "--quiet", "--depth", "1"];
        if (choice.GitRef is { } reference) clone.AddRange(["--branch", reference]);
        clone.AddRange(["--", choice.GitUrl!, target]);
        var fetched = await dyno.RunAsync(new BuildStep(clone, gitEnvironment, TimeSpan.FromMinutes(5)), cancellation);
        if (fetched.ExitCode != 0)
            throw new BuildFailedException($"Could not fetch buildpack {choice.Url} (git clone exited {fetched.ExitCode}): {LastLine(fetched.Stderr)}");
        var listed = await dyno.RunAsync(new BuildStep(["/bin/sh", "-c", "for f in detect compile release; do [ -f \"$0/bin/$f\" ] && echo $f; done; true", target],
            environment, TimeSpan.FromMinutes(1)), cancellation);
        var present = listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!present.Contains("compile")) throw new BuildFailedException($"Buildpack {choice.Url} has no bin/compile.");
        return new Buildpack(choice.Url, choice.Name, target, present.Contains("detect"), present.Contains("release"));
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no message";

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
