using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Cloud.Notify.Sms;
using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EdgeWatch.Cloud.Api;

/// <summary>
/// <c>/healthz</c> for external monitoring (ASP.NET Core health checks): <c>Unhealthy</c> (503) when the aggregator
/// is not subscribed to the broker or the database doesn't answer; <c>Degraded</c> (200) while a modem is faulty or
/// a gateway is offline; <c>Healthy</c> otherwise.
/// </summary>
public sealed class IngestHealthCheck(MqttIngest ingest) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(ingest.Connected ? HealthCheckResult.Healthy("subscribed to the broker") : HealthCheckResult.Unhealthy("not subscribed to the broker"));
}

public sealed class DatabaseHealthCheck(EventStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.ListGatewaysAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("the database answers");
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            return HealthCheckResult.Unhealthy($"the database: {ex.Message}");
        }
    }
}

public sealed class ChannelsHealthCheck(ModemPool modems, Incidents.GatewayWatch watch) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = modems.Status.Where(s => s.Fault is not null).Select(s => $"modem {s.Port}: {s.Fault}")
            .Concat(watch.Offline.Select(g => $"gateway {g} offline")).ToList();
        return Task.FromResult(problems.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded(string.Join("; ", problems)));
    }
}
