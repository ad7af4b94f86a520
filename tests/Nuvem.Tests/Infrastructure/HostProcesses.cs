namespace Nuvem.Tests.Infrastructure;

/// <summary>Processes on the host seen through /proc: how a test finds what runs inside a build dyno's pid namespace.</summary>
public static class HostProcesses
{
    /// <summary>Live (not zombie) processes whose command line starts with the given NUL-separated text.</summary>
    public static List<int> Running(string commandLine)
    {
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText($"{dir}/cmdline").StartsWith(commandLine, StringComparison.Ordinal)
                    && !File.ReadAllText($"{dir}/stat").Split(") ")[^1].StartsWith('Z'))
                    found.Add(pid);
            }
            catch (IOException) { } // gone meanwhile
        }
        return found;
    }

    /// <summary>Kills what <see cref="Running"/> finds, so a test leaves nothing behind whatever happened.</summary>
    public static void Kill(string commandLine)
    {
        foreach (var pid in Running(commandLine))
        {
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
    }
}
