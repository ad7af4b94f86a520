using System.Security.Cryptography;

namespace Nuvem.Platform.Accounts;

/// <summary>
/// First start: create the admin account so a fresh install is usable without any other set-up.
/// A generated password is written to a file only root (the platform's user) can read, like Jenkins'
/// initialAdminPassword, rather than only to a console that may be lost.
/// </summary>
public static class AdminBootstrap
{
    public sealed record Result(Account Admin, string? GeneratedPasswordFile, bool TokenInstalled);

    /// <returns>null when accounts already exist (not a first start).</returns>
    public static Result? EnsureAdmin(AccountService accounts, string dataDir, string email, string? password, string? token)
    {
        if (accounts.Any()) return null;
        string? passwordFile = null;
        if (string.IsNullOrEmpty(password))
        {
            password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y');
            passwordFile = Path.Combine(dataDir, "admin-password");
            File.WriteAllText(passwordFile, password + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var admin = accounts.Create(email, password, isAdmin: true);
        if (!string.IsNullOrEmpty(token)) accounts.IssueToken(admin, "NUVEM_ADMIN_TOKEN", token: token);
        return new Result(admin, passwordFile, !string.IsNullOrEmpty(token));
    }
}
