using System.Security.Cryptography;
using System.Text;

namespace Nuvem.Platform.AddOns.Postgres;

/// <summary>
/// Random names and passwords for add-ons, and the SCRAM-SHA-256 verifier the server stores. The platform hands the
/// server the verifier, never the password: a failed statement that the server logs then holds nothing to log in with.
/// </summary>
public static class PostgresPassword
{
    private const string Lower = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string Mixed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int Iterations = 4096;

    /// <summary>A role and database name: a letter, then lower-case letters and digits (no quoting surprises anywhere).</summary>
    public static string NewName() => "d" + RandomNumberGenerator.GetString(Lower, 15);

    /// <summary>48 letters and digits (~285 bits): safe in a URL without escaping.</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString(Mixed, 48);

    /// <summary>The verifier in PostgreSQL's form: <c>SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey</c> (RFC 5803).</summary>
    public static string Verifier(string password, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
