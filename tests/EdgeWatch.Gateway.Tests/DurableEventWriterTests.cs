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
    private sealed class FlakySink(int failFirst) : IFireEventSink
    {
        private int _calls;
        public ConcurrentQueue<long> Written { get; } = new();

        public void Publish(FireEvent fireEvent)
        {
            if (Interlocked.Increment(ref _calls) <= failFirst)
            {
                throw new IOException("disk I/O error");
            }

            Written.Enqueue(fireEvent.Seq);
        }
    }

    private static List<FireEvent> Events(int n)
    {
        var f = new FireEventFactory(new GatewayIdentity("town", "gw-1", "g1"), new FakeTimeProvider(), new PlausibleClock());
        return [.. Enumerable.Range(0, n).Select(_ => f.Create(FireEventKind.Alarm, "h1", "h1.smoke", "smoke"))];
    }

    [Fact]
    public void EventsReachTheSinkInOrder()
    {
        var sink = new FlakySink(0);
        using var writer = new DurableEventWriter(sink, NullLogger<DurableEventWriter>.Instance);
        foreach (var e in Events(200))
        {
            writer.Publish(e);
        }

        Assert.True(writer.Flush(TimeSpan.FromSeconds(10)));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), sink.Written);
    }

    [Fact]
    public void AFailingDiskIsRetriedAndNothingIsLost()
    {
        var sink = new FlakySink(3);
        using var writer = new DurableEventWriter(sink, NullLogger<DurableEventWriter>.Instance);
        foreach (var e in Events(5))
        {
            writer.Publish(e);
        }

        Assert.True(writer.Flush(TimeSpan.FromSeconds(10)));
        Assert.True(SpinWait.SpinUntil(() => sink.Written.Count == 5, TimeSpan.FromSeconds(5)), $"{sink.Written.Count} of 5 events written");
        Assert.Equal([1L, 2, 3, 4, 5], sink.Written);
    }
}
