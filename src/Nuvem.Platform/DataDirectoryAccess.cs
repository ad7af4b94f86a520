using System.Runtime.InteropServices;

namespace Nuvem.Platform;

/// <summary>
/// Builds and dynos run as the apps' own unprivileged uids and reach their work directories, caches and slugs below
/// the data directory by path, so every directory on the way there must be searchable (x) by others. Where one is
/// not (a data directory under a 0700 home, say), every build would fail with an obscure "permission denied" from
/// inside a buildpack, or dynos would not start: the platform refuses to start instead, naming the directory and the fix.
/// </summary>
public static class DataDirectoryAccess
{
    /// <summary>Directories below the data directory that app uids go through.</summary>
    private static readonly string[] AppPaths = ["work", "cache"];

    /// <returns>Why app uids cannot reach what they need below <paramref name="dataDir"/> and how to fix it, or null when
    /// they can (or when the platform does not run as root: then builds and dynos run as its own uid).</returns>
    public static string? Refusal(string dataDir)
    {
        if (!Environment.IsPrivilegedProcess) return null;
        var closed = Blocking(Path.GetFullPath(dataDir));
        if (closed.Count == 0) return null;
        var lines = new List<string>
        {
            $"nuvemd: builds and dynos run as unprivileged app uids, and they cannot reach the data directory {dataDir}:",
        };
        lines.AddRange(closed.Select(d => $"  - {d} is not searchable by other users (mode {Convert.ToString((int)File.GetUnixFileMode(d), 8).PadLeft(4, '0')})"));
        lines.Add($"  Fix: chmod o+x {string.Join(' ', closed)}   (or set NUVEM_DATA_DIR to a directory every user can reach)");
        return string.Join('\n', lines);
    }

    /// <summary>The directories on the way from / to the data directory and its app paths that others cannot search,
    /// also along the path a symbolic link on the way leads to.</summary>
    private static List<string> Blocking(string dataDir)
    {
        var targets = AppPaths.Select(p => Path.Combine(dataDir, p)).Where(Directory.Exists).Prepend(dataDir).ToList();
        var directories = new List<string>();
        foreach (var target in targets)
        {
            directories.AddRange(WayTo(target));
            if (RealPath(target) is { } real && real != target) directories.AddRange(WayTo(real));
        }
        return directories.Distinct().Where(d => !File.GetUnixFileMode(d).HasFlag(UnixFileMode.OtherExecute)).ToList();
    }

    /// <summary>The directory and every one above it, from / down.</summary>
    private static IEnumerable<string> WayTo(string directory)
    {
        var way = new List<string>();
        for (var d = directory; d is not null; d = Path.GetDirectoryName(d)) way.Add(d);
        way.Reverse();
        return way;
    }

    private static string? RealPath(string path)
    {
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { free(resolved); }
    }

    [DllImport("libc")]
    private static extern IntPtr realpath(string path, IntPtr resolved);

    [DllImport("libc")]
    private static extern void free(IntPtr pointer);
}
