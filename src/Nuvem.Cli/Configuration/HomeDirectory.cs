namespace Nuvem.Cli.Configuration;

/// <summary>
/// The user's home. <c>$HOME</c> wins over the passwd entry so that tests (and sudo -E users) can point the
/// CLI at a scratch home and keep their real ~/.netrc untouched.
/// </summary>
public static class HomeDirectory
{
    public static string Path
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("HOME");
            return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home;
        }
    }
}
