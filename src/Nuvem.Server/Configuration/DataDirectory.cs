using Nuvem.Platform;

namespace Nuvem.Server.Configuration;

/// <summary>
/// The data directory's layout and modes. It can be traversed (app uids reach what builds and dynos need below it)
/// but not listed; everything holding state or secrets is private to the platform.
/// </summary>
internal static class DataDirectory
{
    private static readonly string[] Private = ["tls", "repos", "slugs", "builds", "releases", "sources", "run", "data-protection"];

    /// <returns>Why the platform cannot run on this data directory (and the fix), or null.</returns>
    public static string? Prepare(string dataDir)
    {
        var privateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(dataDir);
        File.SetUnixFileMode(dataDir, privateMode | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        if (DataDirectoryAccess.Refusal(dataDir) is { } refusal) return refusal;
        foreach (var name in Private)
        {
            var path = Path.Combine(dataDir, name);
            Directory.CreateDirectory(path);
            File.SetUnixFileMode(path, privateMode);
        }
        return null;
    }
}
