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

    [DllImport("libc", SetLastError = true)]
    private static extern int lchown(string path, int owner, int group);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint geteuid();
}
