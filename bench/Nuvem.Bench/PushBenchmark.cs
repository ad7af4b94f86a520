using System.Diagnostics;
using System.Text;

namespace Nuvem.Bench;

/// <summary>
/// git push → release, timed end to end (the push returns once the release is made), as medians of several runs:
/// a minimal Procfile app against the baseline of pushing the same commit to a plain bare repository (git's own
/// cost), and the Node.js sample app on a fresh app (no build cache) against a repeat push (cache warm).
/// </summary>
internal static class PushBenchmark
{
    public static async Task RunAsync(int runs)
    {
        await using var platform = await Platform.StartAsync();
        using var api = platform.Client();
        Console.WriteLine($"git push → release: {runs} runs each; median (p90) in milliseconds");

        var minimal = Scratch();
        await File.WriteAllTextAsync(Path.Combine(minimal, "Procfile"), "web: ./run.sh\n");
        await File.WriteAllTextAsync(Path.Combine(minimal, "run.sh"), "#!/bin/sh\necho up\n");
        File.SetUnixFileMode(Path.Combine(minimal, "run.sh"), (UnixFileMode)Convert.ToInt32("755", 8));
        Git(minimal, "init", "-q", "-b", "main");
        var bare = Scratch();
        Git(bare, "init", "-q", "--bare");

        await Create(api, "minimal");
        var plain = new List<double>();
        var release = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            Commit(minimal, $"run {i}");
            plain.Add(Time(() => Push(minimal, $"file://{bare}", platform)));
            release.Add(Time(() => Push(minimal, Remote(platform, "minimal"), platform)));
        }
        var rows = new List<(string, Stats, Stats)> { ("minimal Procfile app  vs plain git push", Stats.Of(release), Stats.Of(plain)) };

        var node = Path.Combine(Platform.Repo, "tests", "Nuvem.Tests", "Fixtures", "apps", "node-express");
        if (Directory.Exists(node))
        {
            var source = Scratch();
            CopyTree(node, source);
            Git(source, "init", "-q", "-b", "main");
            var first = new List<double>();
            var cached = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var app = $"node-{i}";
                await Create(api, app);
                Commit(source, $"node {i}");
                first.Add(Time(() => Push(source, Remote(platform, app), platform, force: true)));
                Commit(source, $"node {i} again");
                cached.Add(Time(() => Push(source, Remote(platform, app), platform)));
            }
            rows.Add(("Node.js (express) cached  vs first build", Stats.Of(cached), Stats.Of(first)));
        }

        Console.WriteLine($"{"measurement",-46} {"subject",16} {"baseline",16} {"ratio",7}");
        foreach (var (name, subject, basis) in rows)
            Console.WriteLine($"{name,-46} {subject,16} {basis,16} {subject.Median / basis.Median,7:F2}");
    }

    private static async Task Create(HttpClient api, string name) =>
        (await api.PostAsync("/apps", new StringContent($"{{\"name\":\"{name}\"}}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

    private static string Remote(Platform platform, string app) => $"https://git:{platform.Token}@localhost:{platform.ApiPort}/{app}.git";

    private static void Push(string directory, string remote, Platform platform, bool force = false) =>
        Run(directory, platform.CaFile, ["push", "-q", remote, force ? "+main:main" : "main"]);

    private static void Commit(string directory, string message)
    {
        Git(directory, "add", "-A");
        Git(directory, "-c", "user.email=bench@nuvem.test", "-c", "user.name=bench", "commit", "-q", "--allow-empty", "-m", message);
    }

    private static double Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static void Git(string directory, params string[] args) => Run(directory, caFile: null, args);

    private static void Run(string directory, string? caFile, string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        if (caFile is not null) start.Environment["GIT_SSL_CAINFO"] = caFile;
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"git {args[0]} failed: {error.Result}");
    }

    private static string Scratch() => Directory.CreateTempSubdirectory("nuvem-bench-src-").FullName;

    private static void CopyTree(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        foreach (var directory in Directory.EnumerateDirectories(source).Where(d => Path.GetFileName(d) != "node_modules"))
            CopyTree(directory, Path.Combine(target, Path.GetFileName(directory)));
    }
}
