namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>
/// The dynos' shared, read-only root filesystem ("the stack"): the host's <c>/usr</c> is bound into it read-only at
/// start (Debian's merged /usr makes that a whole userland), beside a tiny private <c>/etc</c>. No image to
/// download, nothing of the host's configuration leaks in, and every dyno shares the same pages.
/// </summary>
public static class StackRoot
{
    /// <summary>Bumped when the layout below changes, so an older stack is rebuilt.</summary>
    private const string Marker = ".nuvem-stack-4";

    // Dynos and build dynos share the stack and may both be first to ask for it.
    private static readonly Lock Building = new();

    /// <summary>Host files a userland expects in /etc and that carry no secrets.</summary>
    private static readonly string[] CopiedFromHost = ["ld.so.cache", "protocols", "services", "mime.types", "gai.conf", "ethertypes"];

    public static string Ensure(string directory)
    {
        lock (Building) return EnsureLocked(directory);
    }

    private static string EnsureLocked(string directory)
    {
        var root = Path.Combine(directory, "stack");
        if (File.Exists(Path.Combine(root, "etc", Marker))) return root;
        var building = root + ".building";
        if (Directory.Exists(building)) Directory.Delete(building, recursive: true);
        Directory.CreateDirectory(building);
        // Every mode is set on the entry it is made for: nothing here walks the tree, which holds links to host paths.
        foreach (var dir in new[] { "usr", "etc", "app", "tmp", "proc", "dev", "sys", "run", "home", "root", "var", "etc/ssl", "etc/alternatives", "etc/ca-certificates", "srv", "mnt", "opt", "cache", "env", "buildpacks" })
            Directory.CreateDirectory(Path.Combine(building, dir), Mode("755"));
        foreach (var (link, target) in new[] { ("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"), ("lib64", "usr/lib64"), ("lib32", "usr/lib32"), ("libx32", "usr/libx32") })
            if (link is "bin" or "sbin" or "lib" || Directory.Exists("/" + target))
                File.CreateSymbolicLink(Path.Combine(building, link), target);
        // cache, env and buildpacks are where a build dyno's CACHE_DIR, ENV_DIR and buildpacks are mounted.
        // Programs that write to /var/tmp get the dyno's /tmp.
        File.CreateSymbolicLink(Path.Combine(building, "var", "tmp"), "../tmp");
        var etc = Path.Combine(building, "etc");
        // Per-dyno files are bound over these at start; they exist so the mount points do.
        foreach (var file in new[] { "passwd", "group", "hosts", "hostname", "resolv.conf" }) WriteFile(Path.Combine(etc, file), "");
        WriteFile(Path.Combine(etc, "nsswitch.conf"), "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n");
        File.CreateSymbolicLink(Path.Combine(etc, "localtime"), "/usr/share/zoneinfo/Etc/UTC");
        File.CreateSymbolicLink(Path.Combine(etc, "os-release"), "../usr/lib/os-release");
        foreach (var name in CopiedFromHost)
            if (File.Exists("/etc/" + name)) WriteFile(Path.Combine(etc, name), File.ReadAllBytes("/etc/" + name));
        // runc gives a tmpfs the mode of its mount point: /tmp must be world-writable and sticky here already.
        File.SetUnixFileMode(Path.Combine(building, "tmp"), Mode("1777"));
        File.SetUnixFileMode(building, Mode("755"));
        File.WriteAllText(Path.Combine(etc, Marker), "");
        if (Directory.Exists(root)) Directory.Move(root, root + ".old-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.Move(building, root);
        return root;
    }

    private static void WriteFile(string path, string text) => WriteFile(path, System.Text.Encoding.UTF8.GetBytes(text));

    private static void WriteFile(string path, byte[] content)
    {
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, Mode("644"));
    }

    private static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);
}
