using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// Health of the uplink for the host's health checks: healthy when connected with no refused entries; degraded while
/// disconnected (fire safety works locally); unhealthy when fire or trouble entries have waited longer than a minute,
/// or the broker is refusing entries. Storage shows too: an outbox in memory only (none could be opened at start), or
/// writes failing now, is degraded (events are held in memory and still sent). So is a node certificate that
/// expires within 30 days: it is renewed over MQTT from 45 days before (<see cref="CertificateRenewal"/>), so one that
/// gets this close means renewal keeps failing, and the reason is given.
/// </summary>
public sealed class UplinkHealthCheck(Outbox outbox, MqttUplink uplink, OutboxHealth opened, StorageFaults faults, CertificateRenewal renewal, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var backlog = outbox.Backlog;
        var oldest = outbox.OldestAge();
        var data = new Dictionary<string, object>
        {
            ["connected"] = uplink.Connected,
            ["backlog_fire"] = backlog[0],
            ["backlog_trouble"] = backlog[1],
            ["backlog_motion"] = backlog[2],
            ["backlog_telemetry"] = backlog[3],
            ["oldest_seconds"] = Math.Round(oldest.TotalSeconds, 1),
            ["dropped"] = string.Join(",", outbox.Dropped),
            ["published"] = uplink.Published,
            ["rejected"] = uplink.Rejected,
            ["outbox_in_memory"] = opened.InMemory,
            ["held_in_memory"] = outbox.HeldInMemory,
            ["storage_fault"] = faults.Current ?? "",
        };
        string? expiring = null;
        if (uplink.ClientCertificateExpires is { } expires)
        {
            data["certificate_expires"] = expires.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            var left = expires - time.GetUtcNow();
            if (left < TimeSpan.FromDays(30))
            {
                expiring = $"the node certificate expires on {expires.UtcDateTime:yyyy-MM-dd} (in {Math.Max(0, left.TotalDays):0} days) and was not renewed"
                    + (renewal.LastError is { } why ? $": {why}" : " yet: is the aggregator's Broker:Renewal set?")
                    + "; 'EdgeWatch.Gateway cert renew' asks at once, or issue a new bundle with edgewatch-provision";
            }
        }

        if (uplink.LastError is { } error && uplink.Rejected > 0 && (backlog[0] + backlog[1]) > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"broker refusing entries: {error}", data: data));
        }

        if ((backlog[0] + backlog[1]) > 0 && oldest > TimeSpan.FromMinutes(1))
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"fire/trouble entries waiting {oldest.TotalSeconds:0} s", data: data));
        }

        if (opened.InMemory || faults.Current is not null)
        {
            var storage = opened.InMemory ? $"outbox in memory only: {opened.Problem}" : faults.Current!;
            return Task.FromResult(HealthCheckResult.Degraded($"{storage}; {(uplink.Connected ? "connected" : "not connected")}", data: data));
        }

        if (expiring is not null)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"{(uplink.Connected ? "connected" : "not connected")}; {expiring}", data: data));
        }

        return Task.FromResult(uplink.Connected
            ? HealthCheckResult.Healthy("connected", data)
            : HealthCheckResult.Degraded($"not connected: {uplink.LastError ?? "connecting"}; fire safety runs locally", data: data));
    }
}

/// <summary>Uplink metrics (meter <c>EdgeWatch.Gateway.Uplink</c>), readable with dotnet-counters or OpenTelemetry.</summary>
public sealed class UplinkMetrics : IDisposable
{
    public const string MeterName = "EdgeWatch.Gateway.Uplink";
    private readonly Meter _meter;

    public UplinkMetrics(IMeterFactory meters, Outbox outbox, MqttUplink uplink)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("edgewatch.uplink.connected", () => uplink.Connected ? 1 : 0);
        _meter.CreateObservableGauge("edgewatch.outbox.backlog", () =>
        {
            var b = outbox.Backlog;
            return new[]
            {
                new Measurement<int>(b[0], new KeyValuePair<string, object?>("lane", "fire")),
                new Measurement<int>(b[1], new KeyValuePair<string, object?>("lane", "trouble")),
                new Measurement<int>(b[2], new KeyValuePair<string, object?>("lane", "motion")),
                new Measurement<int>(b[3], new KeyValuePair<string, object?>("lane", "telemetry")),
            };
        });
        _meter.CreateObservableGauge("edgewatch.outbox.oldest_seconds", () => outbox.OldestAge().TotalSeconds);
        _meter.CreateObservableGauge("edgewatch.outbox.bytes", () => outbox.Bytes);
        _meter.CreateObservableCounter("edgewatch.uplink.published", () => uplink.Published);
        _meter.CreateObservableCounter("edgewatch.uplink.rejected", () => uplink.Rejected);
        _meter.CreateObservableCounter("edgewatch.outbox.dropped", () => outbox.Dropped.Sum());
    }

    public void Dispose() => _meter.Dispose();
}
