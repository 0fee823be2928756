using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// Fire and trouble entries that are in memory and not (yet) on disk. Every fire and trouble event is held here the
/// moment it is raised, so the uplink can send it at once whatever the disk does (full, read-only, stuck in an
/// fsync); the event writer then writes it to the outbox and releases it. An entry the aggregator acknowledges first
/// is simply released. It has its own lock, never the outbox's, so a slow disk can't hold it up. Positions are
/// negative (<c>-seq</c>), which is how the outbox tells a held entry from a stored one.
/// </summary>
internal sealed class HeldEntries
{
    private sealed class Held(OutboxEntry entry)
    {
        public OutboxEntry Entry { get; } = entry;
        public long SentTicks { get; set; }
    }

    private readonly Lock _lock = new();
    private readonly List<Held> _items = [];

    public static bool IsHeld(OutboxEntry entry) => entry.Position < 0;

    public void Add(OutboxEntry entry)
    {
        lock (_lock)
        {
            _items.Add(new Held(entry));
        }
    }

    /// <summary>The oldest entry of <paramref name="lane"/> not sent, or sent before <paramref name="staleTicks"/>.</summary>
    public OutboxEntry? Next(Lane lane, long staleTicks)
    {
        lock (_lock)
        {
            foreach (var h in _items)
            {
                if (h.Entry.Lane == lane && (h.SentTicks == 0 || h.SentTicks < staleTicks))
                {
                    return h.Entry;
                }
            }

            return null;
        }
    }

    public void MarkSent(long seq, long ticks)
    {
        lock (_lock)
        {
            foreach (var h in _items)
            {
                if (h.Entry.Seq == seq)
                {
                    h.SentTicks = ticks;
                }
            }
        }
    }

    /// <summary>The held entry with this sequence number and when it was sent (0 = not yet).</summary>
    public bool TryGet(long seq, out OutboxEntry entry, out long sentTicks)
    {
        lock (_lock)
        {
            var h = _items.Find(i => i.Entry.Seq == seq);
            entry = h?.Entry!;
            sentTicks = h?.SentTicks ?? 0;
            return h is not null;
        }
    }

    /// <summary>Releases the entries with these sequence numbers; returns how many were held.</summary>
    public int Remove(IReadOnlyCollection<long> seqs)
    {
        lock (_lock)
        {
            return _items.RemoveAll(h => seqs.Contains(h.Entry.Seq));
        }
    }

    public void ResendAll()
    {
        lock (_lock)
        {
            foreach (var h in _items)
            {
                h.SentTicks = 0;
            }
        }
    }

    public void Count(int[] counts)
    {
        lock (_lock)
        {
            foreach (var h in _items)
            {
                counts[(int)h.Entry.Lane]++;
            }
        }
    }

    public int Total
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public long OldestCreatedTicks()
    {
        lock (_lock)
        {
            return _items.Count == 0 ? long.MaxValue : _items.Min(h => h.Entry.Created.UtcTicks);
        }
    }
}
