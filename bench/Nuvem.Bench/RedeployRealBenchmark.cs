using System.Diagnostics;
using System.Text;

namespace Nuvem.Bench;

/// <summary>
/// A real redeploy: <c>git push</c> → the new code served through the router, for a first deploy and for a redeploy
/// with one changed line and unchanged dependencies, of two apps — a heroku/node-js-sample-shaped Node.js app (express,
/// no package-lock.json: the node-express fixture without its lockfile) and a Python app whose requirements.txt names
/// a package vendored in the app (pip installs it without an index). Each push is timed against <c>git push</c> of the
/// same commit to a plain bare repository in the same run. The redeploy is also broken down by when its build output
/// lines arrive at the pusher, and when the router first serves the new commit's marker.
/// </summary>
internal static class RedeployRealBenchmark
{
    private sealed record Deploy(double Push, double Served, double Git, Dictionary<string, double> Steps);

    public static async Task RunAsync(int runs)
    {
        Console.WriteLine($"Redeploys: git push → the new code served through the router; {runs} runs each; median (p90) in milliseconds");
        Console.WriteLine($"load average at the start: {LoadAverage()}");
        List<(string Name, List<Deploy> First, List<Deploy> Again)> results;
        string output;
        await using (var platform = await Platform.StartAsync())
        {
            results = await MeasureAsync(platform, runs);
            output = platform.Output;
        }
        // The same pushes with builds as host processes (NUVEM_DYNO_RUNTIME=process: a uid and cgroups, no container),
        // as every build ran before build dynos: what the container costs a build.
        Console.WriteLine("The same with builds and dynos as host processes (NUVEM_DYNO_RUNTIME=process):");
        List<(string Name, List<Deploy> First, List<Deploy> Again)> host;
        await using (var platform = await Platform.StartAsync(new Dictionary<string, string> { ["NUVEM_DYNO_RUNTIME"] = "process" }))
            host = await MeasureAsync(platform, runs);
        Report(results, host, output);
    }

    private static async Task<List<(string Name, List<Deploy> First, List<Deploy> Again)>> MeasureAsync(Platform platform, int runs)
    {
        using var api = platform.Client();
        using var router = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{platform.RouterPort}"), Timeout = TimeSpan.FromSeconds(10) };
        var results = new List<(string Name, List<Deploy> First, List<Deploy> Again)>();
        foreach (var (name, make, file, line) in Apps())
        {
            var first = new List<Deploy>();
            var again = new List<Deploy>();
            var source = Scratch();
            make(source);
            Git(source, null, "init", "-q", "-b", "main");
            for (var i = 0; i < runs; i++)
            {
                var app = $"{name}-{i}";
                (await api.PostAsync("/apps", RedeployBenchmark.Json($"{{\"name\":\"{app}\"}}"))).EnsureSuccessStatusCode();
                var bare = Scratch();
                Git(bare, null, "init", "-q", "--bare");

                var marker = $"first-{i}-{Guid.NewGuid():N}"[..16];
                await File.WriteAllTextAsync(Path.Combine(source, file), line(marker));
                first.Add(await DeployAsync(platform, router, source, app, bare, marker, force: true));

                marker = $"again-{i}-{Guid.NewGuid():N}"[..16];
                await File.WriteAllTextAsync(Path.Combine(source, file), line(marker));
                again.Add(await DeployAsync(platform, router, source, app, bare, marker, force: false));
                Console.WriteLine($"  {app}: first {first[^1].Served:F0} ms, redeploy {again[^1].Served:F0} ms (push {again[^1].Push:F0}, git alone {again[^1].Git:F0})");

                // Quiet again before the next run: only the app being measured runs.
                (await api.PatchAsync($"/apps/{app}/formation", RedeployBenchmark.Json("{\"updates\":[{\"type\":\"web\",\"quantity\":0}]}"))).EnsureSuccessStatusCode();
                try { Directory.Delete(bare, recursive: true); } catch (IOException) { }
            }
            results.Add((name, first, again));
            try { Directory.Delete(source, recursive: true); } catch (IOException) { }
        }
        return results;
    }

    private static void Report(List<(string Name, List<Deploy> First, List<Deploy> Again)> results,
        List<(string Name, List<Deploy> First, List<Deploy> Again)> host, string output)
    {
        Console.WriteLine($"load average at the end: {LoadAverage()}");
        foreach (var line in output.Split('\n').Where(l => l.Contains("with links to the previous one failed"))) Console.WriteLine($"  nuvemd: {line}");
        Console.WriteLine();
        Console.WriteLine($"{"measurement",-44} {"subject",16} {"baseline",16} {"ratio",7}");
        foreach (var (name, first, again) in results)
        {
            Row($"{name} first deploy → served  vs git push", first.Select(d => d.Served), first.Select(d => d.Git));
            Row($"{name} redeploy → served  vs git push", again.Select(d => d.Served), again.Select(d => d.Git));
            Row($"{name} redeploy → served  vs first deploy", again.Select(d => d.Served), first.Select(d => d.Served));
        }

        Console.WriteLine();
        Console.WriteLine("Redeploy breakdown, and the first deploy's in parentheses (medians, ms; from when build output lines reach the pusher and the router's first new answer):");
        var steps = new[]
        {
            ("push → build starts (git, hook, source check)", "started"),
            ("build dyno start + source unpack + detect", "dyno"),
            ("bin/compile + bin/release", "compile"),
            ("Procfile, .slugignore, pack + store slug", "pack"),
            ("release recorded", "release"),
            ("push returns (ref update, git exit)", "returned"),
            ("dyno start → first new answer via router", "served"),
        };
        Console.WriteLine($"{"step",-48}" + string.Concat(results.Select(r => $" {r.Name,10}")) + string.Concat(results.Select(r => $" {"(first " + r.Name + ")",16}")));
        foreach (var (label, key) in steps)
            Console.WriteLine($"{label,-48}" + string.Concat(results.Select(r => $" {Median(r.Again.Select(d => d.Steps.GetValueOrDefault(key, double.NaN))),10:F0}"))
                + string.Concat(results.Select(r => $" {Median(r.First.Select(d => d.Steps.GetValueOrDefault(key, double.NaN))),16:F0}")));
        Console.WriteLine($"{"total",-48}" + string.Concat(results.Select(r => $" {Median(r.Again.Select(d => d.Served)),10:F0}"))
            + string.Concat(results.Select(r => $" {Median(r.First.Select(d => d.Served)),16:F0}")));

        Console.WriteLine();
        Console.WriteLine("Build dynos against builds as host processes, redeploys (medians, ms):");
        Console.WriteLine($"{"measurement",-44} {"container",16} {"host steps",16} {"ratio",7}");
        foreach (var ((name, _, again), (_, _, hostAgain)) in results.Zip(host))
        {
            Row($"{name} build start → detected", again.Select(d => d.Steps["dyno"]), hostAgain.Select(d => d.Steps["dyno"]));
            Row($"{name} bin/compile + bin/release", again.Select(d => d.Steps["compile"]), hostAgain.Select(d => d.Steps["compile"]));
            Row($"{name} pack + store slug", again.Select(d => d.Steps["pack"]), hostAgain.Select(d => d.Steps["pack"]));
            Row($"{name} redeploy → served", again.Select(d => d.Served), hostAgain.Select(d => d.Served));
        }
    }

    /// <summary>The host's 1, 5 and 15 minute load averages: on a shared machine, what the numbers were measured under.</summary>
    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static void Row(string name, IEnumerable<double> subject, IEnumerable<double> baseline)
    {
        var s = Stats.Of(subject);
        var b = Stats.Of(baseline);
        Console.WriteLine($"{name,-44} {s,16} {b,16} {s.Median / b.Median,7:F2}");
    }

    private static double Median(IEnumerable<double> values) => Stats.Of(values).Median;

    /// <summary>The apps: how to make one, the file holding the changed line, and that file's text for a marker.</summary>
    private static IEnumerable<(string Name, Action<string> Make, string File, Func<string, string> Text)> Apps()
    {
        var fixtures = Path.Combine(Platform.Repo, "tests", "Nuvem.Tests", "Fixtures", "apps");
        yield return ("node", target =>
        {
            CopyTree(Path.Combine(fixtures, "node-express"), target);
            File.Delete(Path.Combine(target, "package-lock.json")); // like heroku/node-js-sample: no lockfile
        }, "server.js", marker => $$"""
            const express = require("express");
            const build = require("./build-info.json");
            const marker = "{{marker}}";
            const app = express();
            app.get("/", (req, res) => res.send(`Hello from Express on Node.js ${process.version} (${marker}), built at ${build.builtAt}\n`));
            const port = Number(process.env.PORT || 5000);
            app.listen(port, () => console.log(`listening on ${port}`));

            """);
        yield return ("python", target => CopyTree(Path.Combine(fixtures, "python-vendored"), target), "app.py", marker =>
            File.ReadAllText(Path.Combine(fixtures, "python-vendored", "app.py")).Replace("MARKER = \"fixture\"", $"MARKER = \"{marker}\""));
    }

    /// <summary>Commits the source, pushes it to the bare repository (the baseline), then to the platform, and polls the router until it serves the marker.</summary>
    private static async Task<Deploy> DeployAsync(Platform platform, HttpClient router, string source, string app, string bare, string marker, bool force)
    {
        Git(source, null, "add", "-A");
        Git(source, null, "-c", "user.email=bench@nuvem.test", "-c", "user.name=bench", "commit", "-q", "-m", marker);
        var git = Stopwatch.StartNew();
        Git(source, null, "push", "-q", $"file://{bare}", "main");
        var gitMs = git.Elapsed.TotalMilliseconds;

        var clock = Stopwatch.StartNew();
        var lines = new List<(double At, string Line)>();
        var start = new ProcessStartInfo("git") { WorkingDirectory = source, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "push", $"https://git:{platform.Token}@localhost:{platform.ApiPort}/{app}.git", force ? "+main:main" : "main" })
            start.ArgumentList.Add(arg);
        start.Environment["GIT_SSL_CAINFO"] = platform.CaFile;
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using (var push = Process.Start(start)!)
        {
            var stdout = push.StandardOutput.ReadToEndAsync();
            while (await push.StandardError.ReadLineAsync() is { } line) lines.Add((clock.Elapsed.TotalMilliseconds, line.TrimEnd()));
            await push.WaitForExitAsync();
            await stdout;
            if (push.ExitCode != 0) throw new InvalidOperationException($"git push of {app} failed:\n{string.Join('\n', lines.Select(l => l.Line))}");
        }
        var pushed = clock.Elapsed.TotalMilliseconds;

        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Host = $"{app}.localhost";
                using var response = await router.SendAsync(request);
                if ((await response.Content.ReadAsStringAsync()).Contains(marker)) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{app} did not serve {marker} within 2 minutes:\n{platform.Output}");
            await Task.Delay(10);
        }
        var served = clock.Elapsed.TotalMilliseconds;

        double At(string text) => lines.FirstOrDefault(l => l.Line.Contains(text, StringComparison.Ordinal)) is { Line: not null } found ? found.At : double.NaN;
        var building = At("-----> Building on the Nuvem stack");
        var detected = At(" app detected");
        var discovering = At("-----> Discovering process types");
        var done = lines.FirstOrDefault(l => l.Line.Contains("       Done: ", StringComparison.Ordinal) && l.At > discovering) is { Line: not null } d ? d.At : double.NaN;
        var released = At("       Released v");
        return new Deploy(pushed, served, gitMs, new Dictionary<string, double>
        {
            ["started"] = building,
            ["dyno"] = detected - building,
            ["compile"] = discovering - detected,
            ["pack"] = done - discovering,
            ["release"] = released - done,
            ["returned"] = pushed - released,
            ["served"] = served - pushed,
        });
    }

    private static void Git(string directory, string? caFile, params string[] args) => RedeployBenchmark.Git(directory, caFile, args);

    private static string Scratch() => Directory.CreateTempSubdirectory("nuvem-bench-redeploy-real-").FullName;

    private static void CopyTree(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        foreach (var directory in Directory.EnumerateDirectories(source).Where(d => Path.GetFileName(d) is not ("node_modules" or "__pycache__" or ".venv")))
            CopyTree(directory, Path.Combine(target, Path.GetFileName(directory)));
    }
}
