using System.Runtime.InteropServices;

namespace Nuvem.Platform.Dynos.Runtime;

/// <summary>Signals to a whole process group: a dyno is its command and everything the command started.</summary>
public static class ProcessGroup
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <returns>false when the group no longer exists.</returns>
    public static bool Signal(int processGroup, int signal) => kill(-processGroup, signal) == 0;

    public static bool Exists(int processGroup) => kill(-processGroup, 0) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
