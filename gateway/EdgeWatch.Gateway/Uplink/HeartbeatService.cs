using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>Queues a heartbeat (telemetry lane) every <see cref="UplinkOptions.HeartbeatInterval"/> with the outbox's health.</summary>
public sealed class HeartbeatService(Outbox outbox, EventStamper stamper, MqttUplink uplink, IOptions<UplinkOptions> options, IOptions<GatewayOptions> gateway, TimeProvider time)
    : BackgroundService
{
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
            LastError = uplink.LastError,
        };
    }

    public void Beat()
    {
        var h = Build();
        outbox.Enqueue(Lane.Telemetry, "telemetry", Topics.Heartbeat(gateway.Value.Site, gateway.Value.Id), ProtocolJson.Serialize(h), h.Seq);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        try
        {
            do
            {
                Beat();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
