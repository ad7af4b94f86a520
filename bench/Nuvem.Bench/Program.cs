using Nuvem.Bench;

// bench/run.sh [api [N] | push [RUNS]] — both by default. Each prints medians and ratios against a baseline
// measured in the same run (see bench/README.md).

if (args is ["--baseline-server", var bodyFile, var port])
{
    // Child mode of the API benchmark: the baseline runs in its own process, like nuvemd, so both pay the same
    // cross-process costs.
    await using var bare = await BaselineServer.StartAsync(File.ReadAllText(bodyFile), int.Parse(port));
    Console.WriteLine("ready");
    await Task.Delay(Timeout.Infinite);
}

var which = args.Length > 0 ? args[0] : "all";
int Count(int fallback) => args.Length > 1 && int.TryParse(args[1], out var n) && n > 0 ? n : fallback;
if (which is "api" or "all") await ApiBenchmark.RunAsync(Count(2000));
if (which == "all") Console.WriteLine();
if (which is "push" or "all") await PushBenchmark.RunAsync(Count(5));
if (which is not ("api" or "push" or "all"))
{
    Console.Error.WriteLine("usage: bench/run.sh [api [REQUESTS] | push [RUNS]]");
    return 2;
}
return 0;
