using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Gateway.Tests;

public sealed class OutboxTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgewatch-outbox-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 22, 0, 0, TimeSpan.Zero));
    private long _seq;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private string Db => Path.Combine(_dir, "outbox.db");

    private EnqueueOutcome Put(Outbox o, Lane lane, string kind, int bytes = 100) =>
        o.Enqueue(lane, kind, $"t/{kind}", new byte[bytes], ++_seq);

    [Fact]
    public void FireOvertakesEveryBacklogAndOrderIsKeptWithinALane()
    {
        using var o = new Outbox(Db, 1 << 20, _time);
        Put(o, Lane.Telemetry, "telemetry");
        Put(o, Lane.Motion, "motion");
        Put(o, Lane.Trouble, "trouble");
        Put(o, Lane.Motion, "motion");
        Put(o, Lane.Fire, "fire");
        Put(o, Lane.Fire, "fire");

        var order = new List<(Lane, long)>();
        while (o.PeekNext() is { } e)
        {
            order.Add((e.Lane, e.Seq));
            o.Delete(e);
        }

        Assert.Equal([(Lane.Fire, 5L), (Lane.Fire, 6L), (Lane.Trouble, 3L), (Lane.Motion, 2L), (Lane.Motion, 4L), (Lane.Telemetry, 1L)], order);
    }

    [Fact]
    public void EntriesAndSequenceSurviveAReopen()
    {
        using (var o = new Outbox(Db, 1 << 20, _time))
        {
            Put(o, Lane.Fire, "fire");
            Put(o, Lane.Trouble, "trouble");
            var first = o.PeekNext()!;
            o.Delete(first);
        }

        using var reopened = new Outbox(Db, 1 << 20, _time);
        Assert.Equal(2, reopened.LastSeq);
        Assert.Equal([0, 1, 0, 0], reopened.Backlog);
        Assert.Equal(2, reopened.PeekNext()!.Seq);
    }

    [Fact]
    public void FullOutboxDropsTelemetryThenSnapshotsThenMotionButNeverFire()
    {
        using var o = new Outbox(Db, 1024 * 1024, _time);
        for (var i = 0; i < 4; i++)
        {
            Put(o, Lane.Telemetry, "telemetry", 60 * 1024);
            Put(o, Lane.Motion, "snapshot", 100 * 1024);
            Put(o, Lane.Motion, "motion", 20 * 1024);
        }

        // 720 KiB used of 1024. Sixteen 60 KiB fire and trouble events need 960 KiB: room is made by dropping all
        // telemetry (240 KiB), then every snapshot (400 KiB), then one motion event; nothing of fire or trouble goes.
        for (var i = 0; i < 16; i++)
        {
            Assert.NotEqual(EnqueueOutcome.Dropped, Put(o, i % 2 == 0 ? Lane.Fire : Lane.Trouble, i % 2 == 0 ? "fire" : "trouble", 60 * 1024));
        }

        Assert.Equal(4, o.Dropped[(int)Lane.Telemetry]);
        Assert.Equal(5, o.Dropped[(int)Lane.Motion]);
        Assert.Equal(0, o.Dropped[(int)Lane.Fire] + o.Dropped[(int)Lane.Trouble]);
        var remaining = new List<string>();
        while (o.PeekNext() is { } e)
        {
            remaining.Add(e.Kind);
            o.Delete(e);
        }

        Assert.Equal(16, remaining.Count(k => k is "fire" or "trouble"));
        Assert.DoesNotContain("telemetry", remaining);
        Assert.DoesNotContain("snapshot", remaining);
        Assert.Equal(3, remaining.Count(k => k == "motion"));
    }

    [Fact]
    public void FireIsStoredEvenBeyondTheBudget()
    {
        using var o = new Outbox(Db, 1024 * 1024, _time);
        for (var i = 0; i < 17; i++)
        {
            Put(o, Lane.Fire, "fire", 60 * 1024);
        }

        Assert.Equal(EnqueueOutcome.StoredOverBudget, Put(o, Lane.Fire, "fire", 60 * 1024));
        Assert.Equal(18, o.Backlog[(int)Lane.Fire]);
        Assert.Equal([0, 0, 0, 0], o.Dropped);
    }

    [Fact]
    public void TelemetryIsDroppedRatherThanEvictingMotion()
    {
        using var o = new Outbox(Db, 1024 * 1024, _time);
        for (var i = 0; i < 17; i++)
        {
            Put(o, Lane.Motion, "motion", 60 * 1024);
        }

        Assert.Equal(EnqueueOutcome.Dropped, Put(o, Lane.Telemetry, "telemetry", 10 * 1024));
        Assert.Equal(17, o.Backlog[(int)Lane.Motion]);
        Assert.Equal(1, o.Dropped[(int)Lane.Telemetry]);
    }

    [Fact]
    public void DropCountsSurviveAReopen()
    {
        using (var o = new Outbox(Db, 1024 * 1024, _time))
        {
            for (var i = 0; i < 17; i++)
            {
                Put(o, Lane.Motion, "motion", 60 * 1024);
            }

            Put(o, Lane.Telemetry, "telemetry", 10 * 1024);
        }

        using var reopened = new Outbox(Db, 1024 * 1024, _time);
        Assert.Equal(1, reopened.Dropped[(int)Lane.Telemetry]);
    }

    [Fact]
    public void OversizedSnapshotIsRefusedWithAClearReason()
    {
        using var o = new Outbox(Db, 64 << 20, _time);
        var ex = Assert.Throws<PayloadTooLargeException>(() => o.Enqueue(Lane.Motion, "snapshot", "edgewatch/v1/town/gw-1/snapshot/x", new byte[WireLimits.MaxSnapshotBytes + 1], 1));
        Assert.Contains("snapshot", ex.Message);
        Assert.Contains("the limit is 256 KiB", ex.Message);
        Assert.Equal([0, 0, 0, 0], o.Backlog);
    }

    [Fact]
    public void OldestAgeFollowsTheClock()
    {
        using var o = new Outbox(Db, 1 << 20, _time);
        Put(o, Lane.Trouble, "trouble");
        _time.Advance(TimeSpan.FromSeconds(42));
        Assert.Equal(TimeSpan.FromSeconds(42), o.OldestAge());
    }

    [Fact]
    public void SentEntryWaitsForTheAggregatorAndIsSentAgainWhenUnacknowledged()
    {
        using var o = new Outbox(Db, 1 << 20, _time) { AckTimeout = TimeSpan.FromSeconds(15) };
        Put(o, Lane.Fire, "fire");
        Put(o, Lane.Fire, "fire");
        var first = o.PeekNext()!;
        o.MarkSent(first);

        // The broker has the first one; the next to send is the second, and the first still counts as waiting.
        Assert.Equal(2, o.PeekNext()!.Seq);
        Assert.Equal(2, o.Backlog[(int)Lane.Fire]);

        // No acknowledgement within the timeout: it goes again.
        _time.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(1, o.PeekNext()!.Seq);

        Assert.Equal(1, o.Acknowledge([1, 99]));
        Assert.Equal(1, o.Backlog[(int)Lane.Fire]);
        Assert.Equal(2, o.PeekNext()!.Seq);
    }

    [Fact]
    public void ReconnectSendsEveryUnacknowledgedEntryAgainInOrder()
    {
        using var o = new Outbox(Db, 1 << 20, _time);
        Put(o, Lane.Trouble, "trouble");
        Put(o, Lane.Trouble, "trouble");
        o.MarkSent(o.PeekNext()!);
        o.MarkSent(o.PeekNext()!);
        Assert.Null(o.PeekNext());

        o.ResendUnacknowledged();
        Assert.Equal(1, o.PeekNext()!.Seq);
        o.Acknowledge([1, 2]);
        Assert.Null(o.PeekNext());
        Assert.Equal(0, o.Bytes);
    }

    [Fact]
    public void HeldAndStoredEntriesGoInSeqOrderWithinEachLane()
    {
        using var o = new Outbox(Db, 1 << 20, _time);
        Put(o, Lane.Fire, "fire");
        Put(o, Lane.Trouble, "trouble");
        o.Hold(Lane.Fire, "fire", "t/fire", [1, 2, 3], 100);
        o.Hold(Lane.Trouble, "trouble", "t/trouble", [4], 101);

        Assert.Equal([2, 2, 0, 0], o.Backlog);
        Assert.Equal(2, o.HeldInMemory);
        var order = new List<long>();
        while (o.PeekNext() is { } e)
        {
            order.Add(e.Seq);
            o.MarkSent(e);
        }

        // Fire before trouble, and by seq within each lane whether held in memory or stored.
        Assert.Equal([1L, 100, 2, 101], order);
        Assert.Equal(2, o.LastSeq); // held entries are not on disk until written back
    }

    [Fact]
    public void WriteBackStoresAHeldEntryDurablyAndKeepsItsSentTime()
    {
        using (var o = new Outbox(Db, 1 << 20, _time))
        {
            o.Hold(Lane.Fire, "fire", "t/fire", [9, 9], 7);
            var sent = o.PeekNext()!;
            o.MarkSent(sent);

            Assert.True(o.WriteBack(7));
            Assert.Equal(0, o.HeldInMemory);
            Assert.Equal([1, 0, 0, 0], o.Backlog);
            Assert.Null(o.PeekNext()); // still in flight: it went out before it reached the disk
            _time.Advance(o.AckTimeout + TimeSpan.FromSeconds(1));
            Assert.Equal(7, o.PeekNext()!.Seq);
        }

        using var reopened = new Outbox(Db, 1 << 20, _time);
        var stored = reopened.PeekNext()!;
        Assert.Equal(7L, stored.Seq);
        Assert.Equal([9, 9], stored.Payload);
        Assert.Equal(7, reopened.LastSeq);
    }

    [Fact]
    public void AHeldEntryAcknowledgedBeforeItReachedTheDiskIsNeverWritten()
    {
        using var o = new Outbox(Db, 1 << 20, _time);
        o.Hold(Lane.Trouble, "trouble", "t/trouble", [1], 5);
        o.MarkSent(o.PeekNext()!);

        Assert.Equal(1, o.Acknowledge([5]));
        Assert.False(o.WriteBack(5));
        Assert.Equal([0, 0, 0, 0], o.Backlog);
        Assert.Null(o.PeekNext());
    }

    [Fact]
    public void HeldEntriesAreSentAgainAfterAReconnect()
    {
        using var o = new Outbox(Db, 1 << 20, _time);
        o.Hold(Lane.Fire, "fire", "t/fire", [1], 3);
        o.MarkSent(o.PeekNext()!);
        Assert.Null(o.PeekNext());

        o.ResendUnacknowledged();
        Assert.Equal(3, o.PeekNext()!.Seq);
    }

    [Fact]
    public void ARefusedEntryWaitsForItsOwnRetryTimeAndTheEntriesBehindItGoOn()
    {
        using var o = new Outbox(Db, 1 << 20, _time);
        Put(o, Lane.Fire, "fire");
        Put(o, Lane.Fire, "fire");
        o.Hold(Lane.Fire, "fire", "t/fire", [1], 3);

        // The broker refuses the first stored one and the held one: both wait, the one between them goes.
        var refused = o.PeekNext()!;
        Assert.Equal(1, refused.Seq);
        o.RetryAt(refused, _time.GetUtcNow() + TimeSpan.FromSeconds(5));
        var next = o.PeekNext()!;
        Assert.Equal(2, next.Seq);
        o.MarkSent(next);
        var refusedHeld = o.PeekNext()!;
        Assert.Equal(3, refusedHeld.Seq);
        o.RetryAt(refusedHeld, _time.GetUtcNow() + TimeSpan.FromSeconds(6));
        Assert.Null(o.PeekNext());
        Assert.True(o.WriteBack(3)); // its retry time survives the move to disk

        // Each at its own retry time.
        _time.Advance(TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, o.PeekNext()!.Seq);
        o.MarkSent(o.PeekNext()!);
        Assert.Null(o.PeekNext());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, o.PeekNext()!.Seq);
    }
}
