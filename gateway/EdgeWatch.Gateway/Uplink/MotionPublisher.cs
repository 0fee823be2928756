using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Hosting;
using System.Globalization;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>Queues motion events and their snapshots in the outbox's motion lane (below fire and trouble).</summary>
public sealed class MotionPublisher(LowerLaneWriter writer, EventStamper stamper, IOptions<GatewayOptions> gateway)
{
    public MotionEvent Publish(string camera, string phase, Guid? eventId, IReadOnlyList<string> zones, IReadOnlyList<int[]> boxes, double peakArea, bool armed, bool? person = null)
    {
        var s = stamper.Next();
        var g = gateway.Value;
        var m = new MotionEvent
        {
            Id = s.Id,
            Seq = s.Seq,
            Site = g.Site,
            Gateway = g.Id,
            Boot = s.Boot,
            EventId = eventId ?? s.Id,
            Camera = camera,
            Phase = phase,
            Zones = zones,
            Boxes = boxes,
            PeakArea = peakArea,
            Armed = armed,
            Person = person,
            WallTime = s.WallTime,
            MonotonicMs = s.MonotonicMs,
            ClockSynced = s.ClockSynced,
        };
        writer.TryEnqueue(Lane.Motion, "motion", Topics.MotionEvents(g.Site, g.Id), ProtocolJson.Serialize(m), m.Seq);
        return m;
    }

    /// <summary>Queues a snapshot JPEG; throws <see cref="PayloadTooLargeException"/> when it is over the wire limit.</summary>
    public void PublishSnapshot(Guid eventId, byte[] jpeg)
    {
        if (jpeg.Length > WireLimits.MaxSnapshotBytes)
        {
            throw new PayloadTooLargeException(string.Create(CultureInfo.InvariantCulture, $"snapshot for motion event {eventId} is {jpeg.Length / 1024.0:0.#} KiB; the limit is {WireLimits.MaxSnapshotBytes / 1024} KiB"));
        }

        var g = gateway.Value;
        writer.TryEnqueue(Lane.Motion, "snapshot", Topics.Snapshot(g.Site, g.Id, eventId), jpeg, stamper.Next().Seq);
    }
}
