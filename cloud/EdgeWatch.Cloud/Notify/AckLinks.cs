using System.Security.Cryptography;
using System.Text;
using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// Signed one-click acknowledgement links: <c>{PublicUrl}/ack/{incident}/{who}?s={signature}</c>. <c>who</c> is a
/// short hash of the person's number (no number in a URL or a log), the signature an HMAC-SHA256 of both under a
/// key the aggregator keeps in its database. A link acknowledges only its own incident, as its own person.
/// </summary>
public sealed class AckLinks(IIncidentStore store, IOptions<NotifyOptions> options) : IHostedService
{
    private byte[]? _key;

    /// <summary>Loads (or makes) the key at start, so a link is signed inside an incident's transaction without I/O.</summary>
    public async Task StartAsync(CancellationToken cancellationToken) =>
        _key = Convert.FromHexString(await store.SecretAsync("ack-links", () => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)), cancellationToken).ConfigureAwait(false));

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public bool Enabled => options.Value.PublicUrl is not null;

    public static string Who(string phone) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(phone)))[..12];

    public string? Link(Guid incident, string phone)
    {
        if (options.Value.PublicUrl is not { } url || _key is null)
        {
            return null;
        }

        var who = Who(phone);
        return new Uri(url, $"ack/{incident:N}/{who}?s={Sign(incident, who)}").ToString();
    }

    public bool Verify(Guid incident, string who, string signature) =>
        _key is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(incident, who)), Encoding.ASCII.GetBytes(signature));

    /// <summary>The signed link to a motion event's privacy-masked snapshot: <c>{PublicUrl}/snapshots/{event}?s=…</c>.</summary>
    public string? SnapshotLink(Guid motionEvent) =>
        options.Value.PublicUrl is { } url && _key is not null ? new Uri(url, $"snapshots/{motionEvent:N}?s={SignText($"snapshot/{motionEvent:N}")}").ToString() : null;

    public bool VerifySnapshot(Guid motionEvent, string signature) =>
        _key is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(SignText($"snapshot/{motionEvent:N}")), Encoding.ASCII.GetBytes(signature));

    private string Sign(Guid incident, string who) => SignText($"{incident:N}/{who}");

    private string SignText(string text)
    {
        var mac = HMACSHA256.HashData(_key!, Encoding.ASCII.GetBytes(text));
        return Convert.ToBase64String(mac, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
