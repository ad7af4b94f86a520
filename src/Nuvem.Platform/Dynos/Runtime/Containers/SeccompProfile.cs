using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Nuvem.Platform.Dynos.Runtime.Containers;

/// <summary>
/// The dynos' seccomp filter: everything an app may need stays allowed, and the kernel's most exposed surface for a
/// process with no capabilities is closed: creating user namespaces (the usual first step of a local privilege
/// escalation, and the one thing an unprivileged process may otherwise do), mounting, keyrings, eBPF, perf,
/// userfaultfd, kernel modules, kexec, clocks and swap. A deny list rather than an allow list on purpose: an app
/// built on a newer libc must not break on a syscall this list has not heard of.
/// </summary>
public static class SeccompProfile
{
    private const long CloneNewUser = 0x10000000;
    private const int EPERM = 1;
    private const int ENOSYS = 38;

    private static readonly string[] Denied =
    [
        "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
        "setns", "add_key", "request_key", "keyctl", "bpf", "perf_event_open", "userfaultfd",
        "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
        "swapon", "swapoff", "acct", "quotactl", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
        "iopl", "ioperm", "lookup_dcookie", "open_by_handle_at", "name_to_handle_at", "syslog", "vhangup", "uselib",
    ];

    public static JsonObject Build()
    {
        JsonArray NewUserFlag() => [new JsonObject { ["index"] = 0, ["value"] = CloneNewUser, ["valueTwo"] = CloneNewUser, ["op"] = "SCMP_CMP_MASKED_EQ" }];
        return new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW",
            ["architectures"] = new JsonArray(Architectures().Select(a => (JsonNode)a).ToArray()),
            ["syscalls"] = new JsonArray(
                new JsonObject { ["names"] = new JsonArray(Denied.Select(n => (JsonNode)n).ToArray()), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = EPERM },
                new JsonObject { ["names"] = new JsonArray("unshare", "clone"), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = EPERM, ["args"] = NewUserFlag() },
                // clone3 passes its flags in memory, out of a filter's reach: ENOSYS makes libc fall back to clone,
                // which the rule above does see.
                new JsonObject { ["names"] = new JsonArray("clone3"), ["action"] = "SCMP_ACT_ERRNO", ["errnoRet"] = ENOSYS }),
        };
    }

    private static string[] Architectures() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        Architecture.Arm64 => ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
        _ => [],
    };
}
