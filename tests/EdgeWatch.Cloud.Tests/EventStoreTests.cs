using EdgeWatch.Cloud.Storage;
using EdgeWatch.Protocol;
using EdgeWatch.Testing;

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

    [Fact]
    public async Task ADatabaseFromBeforeDbUpAndAlarmIdsUpgradesAndKeepsItsEvents()
    {
        var dir = Eventually.TempDirectory("edgewatch-migrate");
        var cs = $"Data Source={Path.Combine(dir, "cloud.db")};Pooling=False";
        var old = Alarm();
        using (var fresh = new EventStore(cs))
        {
            Assert.Equal(SchemaMigrator.Scripts(SchemaMigrator.SqliteFolder).Count, fresh.SchemaVersion);
        }

        // Turn it back into the first schema as it was before DbUp (numbered by user_version, no journal, and the
        // webhook's old notifications table).
        using (var raw = new Microsoft.Data.Sqlite.SqliteConnection(cs))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = """
                DROP TABLE SchemaVersions; DROP TABLE notification_outbox; DROP TABLE incidents; DROP TABLE zns_tokens;
                DROP TABLE shifts; DROP TABLE people; DROP TABLE households; DROP TABLE fire_groups; DROP TABLE registry_site;
                DROP TABLE api_tokens; DROP TABLE accounts; DROP TABLE incident_log; DROP TABLE secrets; DROP TABLE silences;
                DROP TABLE zone_officers; DROP TABLE camera_zones; DROP TABLE cameras; DROP TABLE commissioning;
                CREATE TABLE notifications (event_id TEXT PRIMARY KEY, delivered_at TEXT, attempts INTEGER NOT NULL, last_error TEXT);
                DROP INDEX events_by_alarm; ALTER TABLE events DROP COLUMN alarm_id; PRAGMA user_version = 0;
                """;
            cmd.ExecuteNonQuery();
        }

        using (var v0 = new Microsoft.Data.Sqlite.SqliteConnection(cs))
        {
            v0.Open();
            using var cols = v0.CreateCommand();
            cols.CommandText = "SELECT COUNT(*) FROM pragma_table_info('events') WHERE name = 'alarm_id'";
            Assert.Equal(0L, cols.ExecuteScalar());
        }

        using (var store = new EventStore(cs))
        {
            Assert.Equal(SchemaMigrator.Scripts(SchemaMigrator.SqliteFolder).Count, store.SchemaVersion);
            var joined = Alarm(seq: 2) with { AlarmId = old.Id, Cause = "resumed" };
            Assert.True(await store.InsertAsync(old with { AlarmId = old.Id }, DateTimeOffset.UtcNow, default));
            Assert.True(await store.InsertAsync(joined, DateTimeOffset.UtcNow, default));
            Assert.True(await store.AlarmKnownAsync(old.Id, joined.Id, default));
            Assert.Equal(2, (await store.ListAsync(10, "alarm", null, default)).Count);
            Assert.All(await store.ListAsync(10, "alarm", null, default), e => Assert.Equal(old.Id, e.AlarmId));
            Assert.Empty(await store.ListNotificationsAsync(null, 10, default)); // 0003 ran: the outbox is there
        }

        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task AnAlarmIsKnownOnlyThroughAnotherAlarmEventOfIt()
    {
        var id = Guid.CreateVersion7();
        var first = Alarm(id) with { AlarmId = id };
        Assert.False(await _store.AlarmKnownAsync(first.Id, first.Id, default));
        Assert.True(await _store.InsertAsync(first, DateTimeOffset.UtcNow, default));

        // The first alarm event itself is not "another" one; a second detector of the same alarm finds it.
        Assert.False(await _store.AlarmKnownAsync(first.Id, first.Id, default));
        Assert.True(await _store.AlarmKnownAsync(first.Id, Guid.CreateVersion7(), default));
        Assert.False(await _store.AlarmKnownAsync(Guid.CreateVersion7(), Guid.CreateVersion7(), default));
    }
}
