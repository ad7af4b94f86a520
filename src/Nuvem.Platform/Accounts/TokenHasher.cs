using System.Security.Cryptography;
using System.Text;

namespace Nuvem.Platform.Accounts;

/// <summary>
/// API tokens are long random strings, so a fast unsalted SHA-256 is enough to make a stolen database useless
/// for calling the API while keeping every request's lookup a single indexed query.
/// </summary>
public static class TokenHasher
{
    public static string NewToken() =>
        "nuvem_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
