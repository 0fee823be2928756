using System.Security.Cryptography;
using System.Text;

namespace EdgeWatch.Cloud.Auth;

/// <summary>
/// API tokens: <c>ew_</c> and 32 random bytes (base64url). Only their SHA-256 is stored, so a copy of the database
/// grants nothing; the token is shown once, when it is made.
/// </summary>
public static class ApiTokens
{
    public const string Prefix = "ew_";

    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
