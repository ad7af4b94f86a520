using Nuvem.Platform.Builds;
using Nuvem.Platform.Logplex;
using Nuvem.Platform.Releases;

namespace Nuvem.Platform.Operations;

/// <summary>
/// What a platform that stopped in the middle of its work (kill -9, a crash, a power cut) left behind, dealt with at
/// the next start before any new work is taken. Builds and release phases are not resumed, so the ones it was running
/// are marked failed, each with a line in its output saying so (otherwise they would show "pending" for ever and their
/// pushers would wait for nothing), and the builds' work directories are removed. Add-on provisioning and destruction
/// are resumed instead (<see cref="InterruptedAddOns"/>).
/// </summary>
public sealed class InterruptedWork(BuildStore builds, ReleaseService releases, ILogplex logplex, string dataDir, InterruptedAddOns? addOns = null)
{
    public const string BuildNotice = " !     The platform restarted during this build; push again.";
    public const string ReleaseNotice = "The platform restarted during this release command; the release is marked failed and the current release is unchanged. Push or release again.";

    public void Recover()
    {
        foreach (var build in builds.FailInterrupted(BuildNotice))
        {
            logplex.Api(build.AppId, "Build failed: the platform restarted during it");
            Console.Error.WriteLine($"nuvemd: build {build.Id} was interrupted by the restart and is marked failed.");
        }
        foreach (var release in releases.FailInterrupted(Path.Combine(dataDir, "releases"), ReleaseNotice))
            Console.Error.WriteLine($"nuvemd: the release phase of {release.AppName} v{release.Version} was interrupted by the restart; the release is marked failed.");
        RemoveWorkDirectories();
        addOns?.Resume();
    }

    /// <summary>
    /// Empties <c>work/</c>, where each build has a directory of its own for as long as it runs: nothing runs yet, so
    /// whatever is there was left by builds that did not finish. A directory with something still mounted in it is
    /// left alone (a recursive delete would go through the mount into what it shows) and said so.
    /// </summary>
    private void RemoveWorkDirectories()
    {
        var work = Path.Combine(dataDir, "work");
        if (!Directory.Exists(work)) return;
        var mounts = MountPoints();
        foreach (var entry in Directory.EnumerateFileSystemEntries(work))
        {
            if (mounts.Any(m => m == entry || m.StartsWith(entry + "/", StringComparison.Ordinal)))
            {
                Console.Error.WriteLine($"nuvemd: not removing {entry}, left by an interrupted build: something is still mounted in it.");
                continue;
            }
            try
            {
                // A link is removed as a link, never followed (the delete of a directory does not follow those inside it either).
                if (new FileInfo(entry).LinkTarget is null && Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"nuvemd: could not remove {entry}, left by an interrupted build: {e.Message}");
            }
        }
    }

    /// <summary>Every mount point of this mount namespace (<c>/proc/self/mountinfo</c>'s fifth field, unescaped).</summary>
    private static List<string> MountPoints()
    {
        try
        {
            return File.ReadLines("/proc/self/mountinfo").Select(line => line.Split(' ')).Where(fields => fields.Length > 4)
                .Select(fields => Unescape(fields[4])).ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as three octal digits after a backslash.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var text = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field[(i + 1)..(i + 4)].All(c => c is >= '0' and <= '7'))
            {
                text.Append((char)Convert.ToInt32(field[(i + 1)..(i + 4)], 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }
}
