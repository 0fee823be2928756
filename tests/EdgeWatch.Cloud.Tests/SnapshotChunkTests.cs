using EdgeWatch.Cloud.Ingest;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Cloud.Tests;

public class SnapshotChunkTests
{
    private static byte[] Jpeg(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static IEnumerable<(int Index, byte[] Piece)> Cut(byte[] whole, int pieceBytes) =>
        whole.Chunk(pieceBytes).Select((p, i) => (i, p));

    [Fact]
    public void PiecesInAnyOrderAndRepeatedMakeTheWholeSnapshotOnce()
    {
        var assembler = new SnapshotAssembler(new FakeTimeProvider());
        var whole = Jpeg(10_000, 1);
        var pieces = Cut(whole, 4096).ToList();
        var id = Guid.CreateVersion7();

        Assert.Null(assembler.Add(id, 2, 3, pieces[2].Piece));
        Assert.Null(assembler.Add(id, 0, 3, pieces[0].Piece));
        Assert.Null(assembler.Add(id, 0, 3, pieces[0].Piece)); // a redelivery
        Assert.Equal(1, assembler.Incomplete);
        Assert.Equal(whole, assembler.Add(id, 1, 3, pieces[1].Piece));
        Assert.Equal(0, assembler.Incomplete);
    }

    [Fact]
    public void BadPiecesAreRefusedWithTheReasonAndStaleOnesExpire()
    {
        var time = new FakeTimeProvider();
        var assembler = new SnapshotAssembler(time);
        Assert.Contains("3/3", Assert.Throws<PayloadException>(() => assembler.Add(Guid.NewGuid(), 3, 3, [1])).Message, StringComparison.Ordinal);
        Assert.False(UserProperties.TryParseChunk("2/1", out _, out _));
        Assert.False(UserProperties.TryParseChunk("x/3", out _, out _));
        Assert.True(UserProperties.TryParseChunk(UserProperties.FormatChunk(4, 9), out var i, out var n));
        Assert.Equal((4, 9), (i, n));

        assembler.Add(Guid.NewGuid(), 0, 2, [1, 2]);
        Assert.Equal(1, assembler.Incomplete);
        time.Advance(SnapshotAssembler.MaxAge + TimeSpan.FromSeconds(1));
        assembler.Add(Guid.NewGuid(), 0, 2, [3]);
        Assert.Equal(1, assembler.Incomplete); // the stale one is gone, the new one waits
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task ASnapshotLargerThanOnePieceArrivesWholeThroughTheBrokerAndIsAcknowledged()
    {
        await using var cloud = await CloudRig.StartAsync();
        var settings = GatewayHost.SimulatedSettings("town", "gw-g1", "g1", cloud.BrokerPort, Eventually.TempDirectory("edgewatch-snap"));
        using var gateway = GatewayHost.Create([], settings, b => b.SetMinimumLevel(LogLevel.Warning));
        await gateway.StartAsync();
        var outbox = gateway.Services.GetRequiredService<Outbox>();
        var motion = gateway.Services.GetRequiredService<MotionPublisher>();

        var ids = Enumerable.Range(0, 3).Select(_ => Guid.CreateVersion7()).ToList();
        var jpegs = ids.Select((id, i) => (id, Jpeg((50_000 * (i + 1)) + 123, i))).ToList();
        Assert.All(jpegs, j => Assert.True(j.Item2.Length > MqttUplink.SnapshotChunkBytes * 10));
        foreach (var (id, jpeg) in jpegs)
        {
            motion.PublishSnapshot(id, jpeg);
        }

        foreach (var (id, jpeg) in jpegs)
        {
            await Eventually.WaitAsync(() => cloud.Store.GetSnapshotAsync(id, default).Result is not null, TimeSpan.FromSeconds(20), $"snapshot {id}");
            Assert.Equal(jpeg, await cloud.Store.GetSnapshotAsync(id, default));
        }

        await Eventually.WaitAsync(() => outbox.Backlog[(int)Lane.Motion] == 0, TimeSpan.FromSeconds(20), "every snapshot acknowledged by the aggregator");
        Assert.Equal(0, cloud.Ingest.IncompleteSnapshots);
        await gateway.StopAsync();
    }
}
