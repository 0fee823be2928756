using System.Text.Json;
using EdgeWatch.Mqtt.Trust;

namespace EdgeWatch.Cloud.Broker;

/// <summary>
/// The gateways the site has revoked (every certificate of theirs revoked in the site record that
/// <c>edgewatch-provision</c> keeps, <c>Broker:SiteRecord</c>). The aggregator ignores what they send in any case,
/// also through an external Mosquitto, which reads its revocation list only when it restarts. The record is read
/// again when it changes (looked at once a second at most); an unreadable one keeps the last good list.
/// </summary>
public sealed partial class RevokedGateways(string? siteRecord, TimeProvider time, ILogger logger)
{
    private IReadOnlySet<string> _ids = new HashSet<string>();
    private DateTime _stamp;
    private long _lookedAt = long.MinValue;

    public bool IsRevoked(string gateway)
    {
        Refresh();
        return _ids.Contains(gateway);
    }

    private void Refresh()
    {
        if (string.IsNullOrEmpty(siteRecord) || time.GetElapsedTime(_lookedAt).TotalSeconds < 1 && _lookedAt != long.MinValue)
        {
            return;
        }

        _lookedAt = time.GetTimestamp();
        try
        {
            var stamp = File.GetLastWriteTimeUtc(siteRecord);
            if (stamp == _stamp)
            {
                return;
            }

            _ids = SiteRecord.Read(siteRecord).RevokedIds();
            _stamp = stamp;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            Unreadable(logger, siteRecord, ex.Message);
        }
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Error, Message = "Kept the last list of revoked gateways: the site record {Path} can't be read ({Reason})")]
    private static partial void Unreadable(ILogger logger, string path, string reason);
}
