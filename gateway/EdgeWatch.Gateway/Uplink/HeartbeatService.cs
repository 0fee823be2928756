using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>Queues a heartbeat (telemetry lane) every <see cref="UplinkOptions.HeartbeatInterval"/> with the outbox's health.</summary>
public sealed class HeartbeatService(
    Outbox outbox, LowerLaneWriter writer, EventStamper stamper, MqttUplink uplink, IOptions<UplinkOptions> options, IOptions<GatewayOptions> gateway, TimeProvider time,
    ILogger<HeartbeatService> logger)
    : SupervisedService(time, logger)
{
    /// <summary>Runs before each beat; a fault-injection seam for tests (a throwing heartbeat).</summary>
    internal Action? BeforeBeat { get; set; }

    public Heartbeat Build()
    {
        var s = stamper.Next();
        return new Heartbeat
        {
            Id = s.Id,
            Seq = s.Seq,
            Gateway = gateway.Value.Id,
            Boot = s.Boot,
            WallTime = s.WallTime,
            MonotonicMs = s.MonotonicMs,
            ClockSynced = s.ClockSynced,
            Backlog = outbox.Backlog,
            OldestSeconds = Math.Round(outbox.OldestAge().TotalSeconds, 1),
            Dropped = outbox.Dropped,
            StorageFailures = writer.Failures,
            LastError = uplink.LastError,
        };
    }

    /// <summary>Queues one heartbeat; false when the disk refused it (logged and counted, never thrown).</summary>
    public bool Beat()
    {
        BeforeBeat?.Invoke();
        var h = Build();
        return writer.TryEnqueue(Lane.Telemetry, "telemetry", Topics.Heartbeat(gateway.Value.Site, gateway.Value.Id), ProtocolJson.Serialize(h), h.Seq);
    }

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, Time);
        do
        {
            Beat();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
