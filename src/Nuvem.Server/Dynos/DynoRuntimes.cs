using Nuvem.Platform.Builds.Runtime;
using Nuvem.Platform.Dynos.Network;
using Nuvem.Platform.Dynos.Runtime;
using Nuvem.Platform.Dynos.Runtime.Containers;
using Nuvem.Platform.Slugs;
using Nuvem.Server.Configuration;

namespace Nuvem.Server.Dynos;

/// <summary>Where dynos and build dynos run, as one pair: both are containers of one OCI runtime on one network, or both plain processes.</summary>
public sealed record Runtimes(IDynoRuntime Dynos, IBuildRuntime Builds, string Description);

/// <summary>Picks the dyno runtime the configuration asks for, and checks the host can run it.</summary>
public static class DynoRuntimes
{
    /// <returns>The runtimes and a line describing them; none (after saying why on stderr) when the host cannot isolate.</returns>
    public static Runtimes? Create(ServerOptions options, HostSandbox sandbox, ISlugBlobs slugs, string builtInBuildpacks)
    {
        if (options.DynoRuntime == "process")
            return new Runtimes(new ProcessDynoRuntime(Path.Combine(options.DataDir, "dynos", "processes"), sandbox, slugs),
                new HostBuildRuntime(sandbox, options.DataDir, builtInBuildpacks), "plain processes");

        // Dynos are isolated containers or nothing: a host that cannot isolate stops here with what to fix, rather than
        // running apps unisolated without anyone having chosen that.
        var host = ContainerHost.Inspect(options.Containers);
        if (!host.Ready)
        {
            Console.Error.WriteLine("nuvemd: dynos cannot run as isolated containers on this machine:");
            foreach (var problem in host.Problems) Console.Error.WriteLine($"  - {problem}");
            Console.Error.WriteLine("  (To run dynos as plain processes without isolation instead, set NUVEM_DYNO_RUNTIME=process.)");
            return null;
        }
        IDynoNetwork network = options.Containers.Network == DynoNetworkMode.Bridge
            ? new BridgeNetwork(options.Containers.Bridge, options.Containers.Subnet, options.Containers.Port,
                Path.Combine(options.Containers.Directory, "leases"), ContainerHost.CniPlugins()!, options.Containers.EgressDeny,
                hostPorts: [options.PostgresPort, .. Enumerable.Range(options.RedisPorts.First, options.RedisPorts.Last - options.RedisPorts.First + 1)])
            : new HostNetwork();
        var containers = new ContainerDynoRuntime(options.Containers, host, network, slugs);
        var builds = new ContainerBuildRuntime(options.Builds.Resources, options.Containers, host, network, options.DataDir, builtInBuildpacks);
        return new Runtimes(containers, builds, containers.Description);
    }
}
