using Nuvem.Platform.Dynos.Runtime;

namespace Nuvem.Platform.Builds;

/// <summary>Resource limits of one build: a runaway build cannot take the host down.</summary>
/// <param name="DiskMb">The build directory (/app while building): a tmpfs of this size, counted in the build's memory.</param>
/// <param name="CacheMb">The app's build cache, kept on disk between builds in a file system of this size.</param>
/// <param name="TmpMb">The build's private /tmp (a tmpfs, counted in its memory).</param>
public sealed record BuildResources(int MemoryMb = 3072, double Cpus = 2, int Pids = 4096, int DiskMb = 2048, int CacheMb = 2048, int TmpMb = 1024)
{
    /// <summary>What a build's jail on the host caps (<see cref="HostSandbox"/>); the sizes of its file systems are the build runtime's.</summary>
    public JailLimits ToJailLimits() => new(MemoryMb, Cpus, Pids);
}
