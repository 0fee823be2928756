using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>Fire and trouble events go into the durable outbox: fsync'd before <see cref="Publish"/> returns.</summary>
public sealed class OutboxSink(Outbox outbox) : IFireEventSink
{
    public void Publish(FireEvent fireEvent)
    {
        var topic = fireEvent.IsFireLane ? Topics.FireEvents(fireEvent.Site, fireEvent.Gateway) : Topics.TroubleEvents(fireEvent.Site, fireEvent.Gateway);
        outbox.Enqueue(fireEvent.Lane, fireEvent.IsFireLane ? "fire" : "trouble", topic, ProtocolJson.Serialize(fireEvent), fireEvent.Seq);
    }
}
