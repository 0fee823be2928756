using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>Where the <see cref="DurableEventWriter"/> puts fire and trouble events.</summary>
public interface IFireEventStore
{
    /// <summary>Makes the event sendable at once from memory; never touches (or waits for) the disk.</summary>
    void Hold(FireEvent fireEvent);

    /// <summary>Stores a held event durably. False when it was acknowledged before it reached the disk. Throws on a storage error.</summary>
    bool WriteBack(FireEvent fireEvent);
}

/// <summary>Fire and trouble events go into the outbox: held in memory first, then fsync'd to disk.</summary>
public sealed class OutboxSink(Outbox outbox) : IFireEventStore
{
    public void Hold(FireEvent fireEvent)
    {
        var topic = fireEvent.IsFireLane ? Topics.FireEvents(fireEvent.Site, fireEvent.Gateway) : Topics.TroubleEvents(fireEvent.Site, fireEvent.Gateway);
        outbox.Hold(fireEvent.Lane, fireEvent.IsFireLane ? "fire" : "trouble", topic, ProtocolJson.Serialize(fireEvent), fireEvent.Seq);
    }

    public bool WriteBack(FireEvent fireEvent) => outbox.WriteBack(fireEvent.Seq);
}
