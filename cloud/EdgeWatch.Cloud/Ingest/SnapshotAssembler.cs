using System.Globalization;
using EdgeWatch.Protocol;

namespace EdgeWatch.Cloud.Ingest;

/// <summary>
/// Puts a snapshot sent in pieces (user property <c>chunk</c> = <c>index/count</c>) back together. Pieces may arrive
/// again (at-least-once delivery, or the gateway resending an entry that was never acknowledged); the snapshot is
/// complete when every index is there. Only memory: the gateway's entry is acknowledged once the whole snapshot is
/// stored, so after an aggregator restart the gateway sends it again. A snapshot left incomplete for
/// <see cref="MaxAge"/>, or the oldest beyond <see cref="MaxBufferedBytes"/>, is dropped.
/// </summary>
public sealed class SnapshotAssembler(TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    public const long MaxBufferedBytes = 64L * 1024 * 1024;

    private sealed class Partial(int count, long started)
    {
        public byte[]?[] Pieces { get; } = new byte[]?[count];
        public int Have { get; set; }
        public long Bytes { get; set; }
        public long Started { get; } = started;
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Partial> _partials = [];
    private long _buffered;

    /// <summary>Snapshots waiting for pieces.</summary>
    public int Incomplete
    {
        get
        {
            lock (_gate)
            {
                return _partials.Count;
            }
        }
    }

    /// <summary>Adds one piece; returns the whole JPEG when this piece completed it, otherwise null.</summary>
    public byte[]? Add(Guid eventId, int index, int count, ReadOnlySpan<byte> piece)
    {
        if (count > WireLimits.MaxSnapshotBytes || index < 0 || index >= count)
        {
            throw new PayloadException(string.Create(CultureInfo.InvariantCulture, $"snapshot piece {index}/{count} is out of range"));
        }

        lock (_gate)
        {
            Expire();
            if (_partials.TryGetValue(eventId, out var p) && p.Pieces.Length != count)
            {
                Forget(eventId, p); // sent again in a different cut: start over
                p = null;
            }

            if (p is null)
            {
                p = new Partial(count, time.GetTimestamp());
                _partials[eventId] = p;
            }

            if (p.Pieces[index] is null)
            {
                if (p.Bytes + piece.Length > WireLimits.MaxSnapshotBytes)
                {
                    Forget(eventId, p);
                    throw new PayloadException($"snapshot {eventId} is over {WireLimits.MaxSnapshotBytes} bytes");
                }

                p.Pieces[index] = piece.ToArray();
                p.Have++;
                p.Bytes += piece.Length;
                _buffered += piece.Length;
            }

            if (p.Have < count)
            {
                while (_buffered > MaxBufferedBytes && _partials.Count > 1)
                {
                    var oldest = _partials.MinBy(kv => kv.Value.Started);
                    Forget(oldest.Key, oldest.Value);
                }

                return null;
            }

            Forget(eventId, p);
            var whole = new byte[p.Bytes];
            var at = 0;
            foreach (var bytes in p.Pieces)
            {
                bytes!.CopyTo(whole, at);
                at += bytes!.Length;
            }

            return whole;
        }
    }

    private void Forget(Guid eventId, Partial p)
    {
        _partials.Remove(eventId);
        _buffered -= p.Bytes;
    }

    private void Expire()
    {
        foreach (var (id, p) in _partials.Where(kv => time.GetElapsedTime(kv.Value.Started) > MaxAge).ToList())
        {
            Forget(id, p);
        }
    }
}
