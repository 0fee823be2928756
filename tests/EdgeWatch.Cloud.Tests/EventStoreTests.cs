using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;

namespace EdgeWatch.Cloud.Tests;

public sealed class EventStoreTests : IDisposable
{
    private readonly EventStore _store = new("Data Source=:memory:");

    public void Dispose() => _store.Dispose();

    internal static FireEvent Alarm(Guid? id = null, string gateway = "gw-g1", string group = "g1", long seq = 1) => new()
    {
        Id = id ?? Guid.CreateVersion7(),
        Seq = seq,
        Site = "town",
        Gateway = gateway,
        Group = group,
        Kind = FireEventKind.Alarm,
        Household = "h3",
        Channel = "h3.smoke",
        Cause = "smoke",
        WallTime = new DateTimeOffset(2026, 3, 1, 22, 0, 0, TimeSpan.Zero),
        MonotonicMs = 1234,
        ClockSynced = true,
    };

    [Fact]
    public async Task SameEventIdIsStoredOnce()
    {
        var e = Alarm();
        Assert.True(await _store.InsertAsync(e, DateTimeOffset.UtcNow, default));
        Assert.False(await _store.InsertAsync(e with { Seq = 99 }, DateTimeOffset.UtcNow, default));
        var stored = Assert.Single(await _store.ListAsync(10, null, null, default));
        Assert.Equal(e.Id, stored.Id);
        Assert.Equal(1, stored.Seq);
        Assert.Equal("alarm", stored.Kind);
    }

    [Fact]
    public async Task ListFiltersByKindAndGroup()
    {
        await _store.InsertAsync(Alarm(), DateTimeOffset.UtcNow, default);
        await _store.InsertAsync(Alarm(group: "g2", gateway: "gw-g2") with { Kind = FireEventKind.Trouble, Cause = "probe-lost" }, DateTimeOffset.UtcNow, default);
        Assert.Single(await _store.ListAsync(10, "alarm", null, default));
        Assert.Equal("trouble", Assert.Single(await _store.ListAsync(10, null, "g2", default)).Kind);
    }
}
