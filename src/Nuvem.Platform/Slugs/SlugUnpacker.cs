using System.Diagnostics;

namespace Nuvem.Platform.Slugs;

/// <summary>
/// Unpacks a slug (a gzipped tar of <c>./app/…</c>) where a dyno will run it. GNU tar rather than .NET's reader:
/// slugs hold symlinks to absolute paths (a virtualenv's <c>python → /usr/bin/python3</c>), right inside a dyno whose
/// root is the stack, and .NET refuses to create those. Run as the app's own uid (when the platform is root) into a
/// directory that uid owns, so that the files are the app's and whatever a slug holds, tar can write nowhere the app
/// itself could not.
/// </summary>
public static class SlugUnpacker
{
    public static async Task ExtractAsync(string slugPath, string directory, int? uid, CancellationToken cancellation)
    {
        var asApp = uid is { } u && Environment.UserName == "root" && File.Exists("/usr/bin/setpriv");
        var start = new ProcessStartInfo(asApp ? "/usr/bin/setpriv" : "tar")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asApp)
            foreach (var arg in new[] { "--reuid", uid!.Value.ToString(), "--regid", uid.Value.ToString(), "--clear-groups", "--no-new-privs", "tar" })
                start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "-xz", "--no-same-owner", "-C", directory }) start.ArgumentList.Add(arg);
        using var tar = Process.Start(start) ?? throw new InvalidOperationException("Could not start tar.");
        var errors = tar.StandardError.ReadToEndAsync(cancellation);
        // The slug store is the platform's: the platform reads it and hands tar the bytes.
        await using (var slug = File.OpenRead(slugPath))
        {
            try { await slug.CopyToAsync(tar.StandardInput.BaseStream, cancellation); }
            catch (IOException) { /* tar stopped reading: its exit status says why */ }
        }
        tar.StandardInput.Close();
        await tar.WaitForExitAsync(cancellation);
        if (tar.ExitCode != 0) throw new IOException($"Unpacking the slug failed: {(await errors).Trim()}");
    }
}
