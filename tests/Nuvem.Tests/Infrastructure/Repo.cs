namespace Nuvem.Tests.Infrastructure;

/// <summary>Where the built binaries are: the tests run the real nuvemd and nuvem, not in-process stand-ins.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, whichever this test assembly was built as.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    public static string ServerDll => Binary("Nuvem.Server", "nuvemd.dll");
    public static string CliDll => Binary("Nuvem.Cli", "nuvem.dll");

    private static string Binary(string project, string file)
    {
        var path = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} first ({path} is missing).");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nuvem.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("Cannot find the repository root (Nuvem.slnx) above " + AppContext.BaseDirectory);
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
