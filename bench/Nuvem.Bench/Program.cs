using Nuvem.Bench;

// bench/run.sh [api [N] | push [RUNS] | router [SECONDS] | redeploy [SECONDS] | redeploy-real [RUNS] | dynos [STARTS [MAX_DYNOS]] | addons [RUNS]] — api and push by default. Each prints medians and ratios against a baseline
// measured in the same run (see bench/README.md).

if (args is ["--baseline-server", var bodyFile, var port])
{
    // Child mode of the API benchmark: the baseline runs in its own process, like nuvemd, so both pay the same
    // cross-process costs.
    await using var bare = await BaselineServer.StartAsync(File.ReadAllText(bodyFile), int.Parse(port));
    Console.WriteLine("ready");
    await Task.Delay(Timeout.Infinite);
}

// Child modes of the router benchmark: the upstream "dyno" and the router, each in its own process like nginx.
if (args is ["--upstream", var upstreamPort])
{
    await RouterBenchmark.RunUpstreamAsync(int.Parse(upstreamPort));
    return 0;
}
if (args is ["--router", var routerPort, var routedPort])
{
    await RouterBenchmark.RunRouterAsync(int.Parse(routerPort), int.Parse(routedPort));
    return 0;
}

var which = args.Length > 0 ? args[0] : "all";
int Count(int fallback, int at = 1) => args.Length > at && int.TryParse(args[at], out var n) && n > 0 ? n : fallback;
if (which is "api" or "all") await ApiBenchmark.RunAsync(Count(2000));
if (which == "all") Console.WriteLine();
if (which is "push" or "all") await PushBenchmark.RunAsync(Count(5));
if (which is "router") await RouterBenchmark.RunAsync(Count(10));
if (which is "redeploy") await RedeployBenchmark.RunAsync(Count(20));
if (which is "redeploy-real") await RedeployRealBenchmark.RunAsync(Count(5));
if (which is "dynos") await DynoBenchmark.RunAsync(Count(15), Count(100, at: 2));
if (which is "addons") await AddOnBenchmark.RunAsync(Count(5));
if (which is not ("api" or "push" or "router" or "redeploy" or "redeploy-real" or "dynos" or "addons" or "all"))
{
    Console.Error.WriteLine("usage: bench/run.sh [api [REQUESTS] | push [RUNS] | router [SECONDS] | redeploy [SECONDS] | redeploy-real [RUNS] | dynos [STARTS [MAX_DYNOS]] | addons [RUNS]]");
    return 2;
}
return 0;
