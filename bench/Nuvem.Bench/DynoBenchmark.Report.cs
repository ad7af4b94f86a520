using System.Text;

namespace Nuvem.Bench;

/// <summary>The dyno benchmark's tables: start times, the container runtime's steps, memory and density.</summary>
internal static partial class DynoBenchmark
{
    private static void PrintStarts(List<StartTimes> process, List<StartTimes> container)
    {
        Console.WriteLine();
        Console.WriteLine($"1. Web dyno start (scale 0→1) until its address answers HTTP 200, ms: median (p90) of {container.Count}");
        Console.WriteLine($"{"",-44} {"process",12} {"container",12} {"ratio",7}");
        void Row(string label, Func<StartTimes, double> pick)
        {
            var (p, c) = (Stats.Of(process.Select(pick)), Stats.Of(container.Select(pick)));
            Console.WriteLine($"{label,-44} {p,12} {c,12} {c.Median / p.Median,7:F2}");
        }
        Row("listed with its address (runtime started it)", t => t.AddressMs);
        Row("accepts and answers 200 (the number)", t => t.AcceptMs);
        Row("state up in the API (routable)", t => t.UpMs);
        Row("stop: scale 1→0 until gone (1 s drain)", t => t.StopMs);
        Console.WriteLine($"start→accepting, container/process: {Stats.Of(container.Select(t => t.AcceptMs)).Median / Stats.Of(process.Select(t => t.AcceptMs)).Median:F2}");
    }

    /// <summary>
    /// The container runtime's own steps of the last <paramref name="starts"/> starts, from the lines nuvemd writes
    /// with NUVEM_DYNO_TIMINGS=1 ("dyno ID start ms: step=ms … total=ms"), in the order it names them.
    /// </summary>
    private static void PrintBreakdown(string output, int starts)
    {
        var lines = output.Split('\n').Where(l => l.StartsWith("dyno ", StringComparison.Ordinal) && l.Contains(" start ms: ")).TakeLast(starts).ToList();
        if (lines.Count == 0) { Console.WriteLine("(no start timings from nuvemd)"); return; }
        var steps = new List<string>();
        var samples = new Dictionary<string, List<double>>();
        foreach (var line in lines)
            foreach (var pair in line[(line.IndexOf(" start ms: ", StringComparison.Ordinal) + 11)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var (step, ms) = (pair[..pair.IndexOf('=')], double.Parse(pair[(pair.IndexOf('=') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
                if (!samples.TryGetValue(step, out var list)) { samples[step] = list = []; steps.Add(step); }
                list.Add(ms);
            }
        Console.WriteLine($"   the container runtime's start, by step (NUVEM_DYNO_TIMINGS), ms: median (p90) of {lines.Count}");
        Console.WriteLine("   " + string.Join("  ", steps.Select(s => $"{s} {Stats.Of(samples[s]).Median:F1} ({Stats.Of(samples[s]).P90:F1})")));
    }

    private static void PrintMemory(Density density)
    {
        var dynos = density.Memory;
        Console.WriteLine();
        if (dynos.Count == 0) { Console.WriteLine("2. Memory per container dyno: no dyno to measure"); return; }
        Console.WriteLine($"2. Memory per container dyno, MB: median (p90) across the {dynos.Count} dynos running at {density.MemoryAt} (from /proc/PID/smaps_rollup)");
        Console.WriteLine($"{"",-34} {"RSS",14} {"PSS",14}");
        void Row(string label, Func<DynoMemory, Usage> pick)
        {
            var rss = Stats.Of(dynos.Select(d => pick(d).RssKb / 1024.0));
            var pss = Stats.Of(dynos.Select(d => pick(d).PssKb / 1024.0));
            Console.WriteLine($"{label,-34} {rss.Median,6:F2} ({rss.P90,5:F2}) {pss.Median,6:F2} ({pss.P90,5:F2})");
        }
        Row("conmon (monitor)", d => d.Conmon);
        Row("tini (the container's PID 1)", d => d.Tini);
        Row("platform parts (conmon + tini)", d => d.Conmon + d.Tini);
        Row($"app (the {dynos.Select(d => d.AppProcesses).DefaultIfEmpty().Max()} processes below tini)", d => d.App);
        var cgroup = Stats.Of(dynos.Select(d => d.CgroupKb / 1024.0));
        var kernel = Stats.Of(dynos.Select(d => d.KernelKb / 1024.0));
        Console.WriteLine($"{"dyno cgroup: process + tmpfs memory",-34} {cgroup.Median,6:F2} ({cgroup.P90,5:F2})   kernel memory {kernel.Median:F2} ({kernel.P90:F2})");
        var platformPss = Stats.Of(dynos.Select(d => (double)(d.Conmon + d.Tini).PssKb)).Median;
        var appPss = Stats.Of(dynos.Select(d => (double)d.App.PssKb)).Median;
        Console.WriteLine($"platform parts / app, PSS: {platformPss / appPss:F2}");
    }

    private static void PrintDensity(Density density, int memAvailableCleaned)
    {
        Console.WriteLine();
        var baseline = density.Baseline;
        Console.WriteLine($"3. Density: idle dynos added {StepSize} at a time, each step waited for until all are up; then through the router");
        Console.WriteLine($"   ({AppName}.localhost, sequential keep-alive requests, 2 per dyno as warm-up, then max(200, 2 per dyno) timed), ms median (p90)");
        Console.WriteLine($"{"dynos",6} {"start s",8} {"router ms",15} {"vs 1 dyno",10} {"failed",7} {"MemAvailable MB",16} {"nuvemd RSS MB",14} {"nuvemd idle CPU %",18}");
        foreach (var s in density.Steps.Prepend(baseline))
            Console.WriteLine($"{s.Dynos,6} {(s == baseline ? "-" : s.StartSeconds.ToString("F1")),8} {s.Router.Median,7:F2} ({s.Router.P90,5:F2}) " +
                              $"{s.Router.Median / baseline.Router.Median,10:F2} {s.Failed,7} {s.MemAvailableMb,16} {s.NuvemdRssKb / 1024,14} {s.NuvemdCpu,18:F1}");
        var last = density.Steps.LastOrDefault() ?? density.Baseline;
        var perDyno = last.Dynos > 1 ? (double)(density.Baseline.MemAvailableMb - last.MemAvailableMb) / (last.Dynos - 1) : 0;
        var nuvemdPerDyno = last.Dynos > 1 ? (last.NuvemdRssKb - density.Baseline.NuvemdRssKb) / 1024.0 / (last.Dynos - 1) : 0;
        Console.WriteLine($"largest count reached: {last.Dynos} dynos, all up and the router answering ({density.StoppedBecause ?? "stopped at the cap"})");
        Console.WriteLine($"router latency at {last.Dynos} vs 1 dyno (median): {last.Router.Median:F2} vs {density.Baseline.Router.Median:F2} ms, ratio {last.Router.Median / density.Baseline.Router.Median:F2}");
        Console.WriteLine($"host MemAvailable: {density.Baseline.MemAvailableMb} MB at 1 dyno, {last.MemAvailableMb} MB at {last.Dynos}, {memAvailableCleaned} MB after clean-up");
        Console.WriteLine($"memory per dyno (MemAvailable drop / added dynos): {perDyno:F1} MB, of which nuvemd's own RSS growth {nuvemdPerDyno:F2} MB");
    }
}
