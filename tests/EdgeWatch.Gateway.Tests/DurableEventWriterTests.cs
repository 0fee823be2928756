using System.Collections.Concurrent;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Gateway.Tests;

/// <summary>The writer thread is real, so these wait (briefly) for it.</summary>
[Trait("Category", "Integration")]
public class DurableEventWriterTests
{
    private sealed class FlakyStore(int failFirst) : IFireEventStore
    {
        private int _calls;
        public volatile bool Broken;
        public ConcurrentQueue<long> Held { get; } = new();
        public ConcurrentQueue<long> Written { get; } = new();

        public void Hold(FireEvent fireEvent) => Held.Enqueue(fireEvent.Seq);

        public bool WriteBack(FireEvent fireEvent)
        {
            if (Broken || Interlocked.Increment(ref _calls) <= failFirst)
            {
                throw new IOException("disk I/O error");
            }

            Written.Enqueue(fireEvent.Seq);
            return true;
        }
    }

    private static List<FireEvent> Events(int n)
    {
        var f = new FireEventFactory(new GatewayIdentity("town", "gw-1", "g1"), new FakeTimeProvider(), new PlausibleClock());
        return [.. Enumerable.Range(0, n).Select(_ => f.Create(FireEventKind.Alarm, "h1", "h1.smoke", "smoke"))];
    }

    [Fact]
    public void EventsAreHeldAtOnceAndReachTheDiskInOrder()
    {
        var store = new FlakyStore(0);
        using var writer = new DurableEventWriter(store, NullLogger<DurableEventWriter>.Instance);
        foreach (var e in Events(200))
        {
            writer.Publish(e);
        }

        // Held on the caller's thread, before Publish returns.
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), store.Held);
        Assert.True(writer.Flush(TimeSpan.FromSeconds(10)));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), store.Written);
    }

    [Fact]
    public void AFailingDiskIsRetriedAndNothingIsLost()
    {
        var store = new FlakyStore(3);
        using var writer = new DurableEventWriter(store, NullLogger<DurableEventWriter>.Instance) { RetryInterval = TimeSpan.FromMilliseconds(20) };
        foreach (var e in Events(5))
        {
            writer.Publish(e);
        }

        Assert.True(writer.Flush(TimeSpan.FromSeconds(10)), $"{writer.Unwritten} events still unwritten");
        Assert.Equal([1L, 2, 3, 4, 5], store.Written);
    }

    [Fact]
    public void ADiskThatKeepsFailingHoldsUpNoLaterEventAndReportsTheFaultUntilItRecovers()
    {
        var store = new FlakyStore(0) { Broken = true };
        var faults = new ConcurrentQueue<string?>();
        using var writer = new DurableEventWriter(store, NullLogger<DurableEventWriter>.Instance) { RetryInterval = TimeSpan.FromMilliseconds(20) };
        writer.StorageFaultChanged += faults.Enqueue;
        var events = Events(50);
        foreach (var e in events)
        {
            writer.Publish(e);
        }

        // Every event is held (and so sendable) although not one reached the disk.
        Assert.Equal(events.Select(e => e.Seq), store.Held);
        Assert.True(SpinWait.SpinUntil(() => writer.StorageFault is not null, TimeSpan.FromSeconds(5)), "the storage fault was never reported");
        Assert.False(writer.Flush(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(50, writer.Unwritten);
        Assert.Empty(store.Written);

        store.Broken = false;
        Assert.True(writer.Flush(TimeSpan.FromSeconds(10)), $"{writer.Unwritten} events still unwritten after the disk recovered");
        Assert.Equal(events.Select(e => e.Seq), store.Written);
        Assert.True(SpinWait.SpinUntil(() => faults.Count == 2, TimeSpan.FromSeconds(5)), $"{faults.Count} fault changes reported");
        Assert.Contains("disk I/O error", faults.First(), StringComparison.Ordinal);
        Assert.Null(faults.Last());
        Assert.Null(writer.StorageFault);
    }
}
