using EdgeWatch.Protocol;
using Microsoft.Data.Sqlite;
using MQTTnet;

namespace EdgeWatch.Cloud.Tests;

/// <summary><c>edgewatch-cloud backup</c>: an online copy of the live database, checked before it replaces the last one.</summary>
[Trait("Category", "Integration")]
public sealed class BackupCommandTests
{
    private static long Events(string file)
    {
        using var c = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM events";
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public async Task ABackupTakenWhileTheAggregatorRunsHoldsEveryStoredEventAndReplacesTheOldOne()
    {
        await using var rig = await CloudRig.StartAsync();
        for (var i = 1; i <= 5; i++)
        {
            var e = EventStoreTests.Alarm(seq: i) with { Kind = FireEventKind.Trouble, Channel = $"h{i}.smoke", Cause = "loop-open" };
            await rig.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.TroubleEvents("town", "gw-g1")).WithPayload(ProtocolJson.Serialize(e)).Build(), default);
        }

        var target = Path.Combine(rig.Directory, "backup", "edgewatch.db");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllText(target, "an older backup");
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await BackupCommand.RunAsync(["--to", target, "--database", $"Data Source={rig.DatabasePath}"], output, error));
        Assert.Contains("Đã sao lưu", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("5 events", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(5, Events(target));
        Assert.False(File.Exists(target + ".partial"));

        // The aggregator goes on; the copy is a snapshot.
        var later = EventStoreTests.Alarm(seq: 6) with { Kind = FireEventKind.Trouble, Channel = "h6.smoke", Cause = "loop-open" };
        await rig.Ingest.HandleAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.TroubleEvents("town", "gw-g1")).WithPayload(ProtocolJson.Serialize(later)).Build(), default);
        Assert.Equal(6, (await rig.Store.ListAsync(100, null, null, default)).Count);
        Assert.Equal(5, Events(target));
    }

    [Fact]
    public async Task BadArgumentsGetAClearErrorAndNoFile()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(2, await BackupCommand.RunAsync([], output, error));
        Assert.Contains("--to", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage", error.ToString(), StringComparison.Ordinal);

        var dir = Eventually.TempDirectory("edgewatch-backup");
        try
        {
            var missing = Path.Combine(dir, "nowhere", "copy.db");
            Assert.Equal(1, await BackupCommand.RunAsync(["--to", Path.Combine(dir, "copy.db"), "--database", $"Data Source={Path.Combine(dir, "none.db")}"], output, error));
            Assert.Contains("none.db' (Storage:ConnectionString) does not exist", error.ToString(), StringComparison.Ordinal);
            File.WriteAllBytes(Path.Combine(dir, "live.db"), []);
            Assert.Equal(1, await BackupCommand.RunAsync(["--to", missing, "--database", $"Data Source={Path.Combine(dir, "live.db")}"], output, error));
            Assert.Contains("does not exist", error.ToString(), StringComparison.Ordinal);
            Assert.False(File.Exists(missing));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
