using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// How a webhook POST is signed: <c>X-EdgeWatch-Timestamp</c> is the Unix time in seconds, and
/// <c>X-EdgeWatch-Signature</c> is <c>sha256=</c> and the lowercase hex HMAC-SHA256 of <c>timestamp + "." + body</c>
/// under the shared secret. A receiver recomputes it, compares in constant time, and refuses old timestamps.
/// </summary>
public static class WebhookSignature
{
    public const string TimestampHeader = "X-EdgeWatch-Timestamp";
    public const string SignatureHeader = "X-EdgeWatch-Signature";
    public const string IdempotencyHeader = "Idempotency-Key";

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public static bool Verify(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body) =>
        long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var t) && signature is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, t, body)), Encoding.ASCII.GetBytes(signature));
}
