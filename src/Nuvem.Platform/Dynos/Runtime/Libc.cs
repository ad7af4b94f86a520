using System.Runtime.InteropServices;

namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>The few system calls .NET has no API for.</summary>
internal static class Libc
{
    public static bool IsRoot => geteuid() == 0;

    public static void Chown(string path, int uid, int gid)
    {
        if (lchown(path, uid, gid) != 0)
            throw new IOException($"chown {uid}:{gid} {path} failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <summary>Whether a process exists (signal 0 checks without sending anything).</summary>
    public static bool ProcessExists(int pid) => pid > 0 && (kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM: exists */);

    /// <summary>Mounts a tmpfs with no devices and no setuid (as <c>mount -t tmpfs -o OPTIONS,nodev,nosuid</c>, without
    /// starting a program).</summary>
    /// <param name="options">tmpfs options such as <c>size=16m,mode=0755</c>.</param>
    public static void MountTmpfs(string target, string options)
    {
        if (mount("tmpfs", target, "tmpfs", MsNoSuid | MsNoDev, options) != 0)
            throw new IOException($"mount -t tmpfs -o {options},nodev,nosuid tmpfs {target} failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <summary>Detaches a mount now and cleans it up once it is no longer busy (<c>umount --lazy</c>); false when that failed.</summary>
    public static bool UnmountLazily(string target) => umount2(target, MntDetach) == 0;

    private const nuint MsNoSuid = 2;
    private const nuint MsNoDev = 4;
    private const int MntDetach = 2;

    [DllImport("libc", SetLastError = true)]
    private static extern int mount(string source, string target, string fileSystemType, nuint flags, string data);

    [DllImport("libc", SetLastError = true)]
    private static extern int umount2(string target, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int lchown(string path, int owner, int group);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint geteuid();
}
