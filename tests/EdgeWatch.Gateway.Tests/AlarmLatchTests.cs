using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;
using EdgeWatch.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeWatch.Gateway.Tests;

/// <summary>
/// The alarm latch in a real file: a gateway that dies (engine gone without a reset) and starts again on the same
/// state directory resumes the alarm at once, as the same alarm.
/// </summary>
public sealed class AlarmLatchTests : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);
    private readonly string _dir = Eventually.TempDirectory("edgewatch-latch");

    private string LatchPath => Path.Combine(_dir, "alarm-latch.json");

    public void Dispose() => Directory.Delete(_dir, true);

    private AlarmLatchFile Latch() => new(LatchPath, NullLogger.Instance);

    /// <summary>Trips and releases a call point (the alarm stays latched), then "crashes": no reset, no clean stop.</summary>
    private FireEvent LatchAnAlarmAndCrash(Action<GroupRig>? before = null)
    {
        using var latch = Latch();
        using var rig = new GroupRig(latch: latch);
        rig.Sim.Trip("h6.call-point.inside");
        rig.Advance(Debounce);
        rig.Sim.Restore("h6.call-point.inside");
        rig.Advance(Debounce);
        before?.Invoke(rig);
        Assert.True(latch.Flush(TimeSpan.FromSeconds(5)), "the latch was not written");
        return Assert.Single(rig.OfKind(FireEventKind.Alarm));
    }

    [Fact]
    public void ALatchedAlarmResumesAtStartAsTheSameAlarm()
    {
        var first = LatchAnAlarmAndCrash();
        Assert.Equal(first.Id, first.AlarmId);

        using var latch = Latch();
        using var rig = new GroupRig(latch: latch);

        // Before any time passes, and before any input is read again: alarm, every siren, strobes.
        Assert.Equal(GroupState.Alarm, rig.Engine.State);
        Assert.True(rig.AllSirensOn, "the sirens did not resume at start");
        var resumed = Assert.Single(rig.OfKind(FireEventKind.Alarm));
        Assert.Equal("resumed", resumed.Cause);
        Assert.Equal("h6.call-point.inside", resumed.Channel);
        Assert.Equal("h6", resumed.Household);
        Assert.NotEqual(first.Id, resumed.Id);
        Assert.Equal(first.Id, resumed.AlarmId);

        // Nothing is active any more, so it can be reset; the reset carries the alarm and clears the latch.
        Assert.True(rig.Engine.Reset("test").Accepted);
        Assert.Equal(first.Id, Assert.Single(rig.OfKind(FireEventKind.Reset)).AlarmId);
        Assert.True(latch.Flush(TimeSpan.FromSeconds(5)));
        Assert.Null(latch.Load().Latch);
    }

    [Fact]
    public void ASilencedAlarmResumesSounding()
    {
        LatchAnAlarmAndCrash(rig => Assert.True(rig.Engine.Silence("test").Accepted));
        using var latch = Latch();
        Assert.Equal(GroupState.Silenced, latch.Load().Latch!.State);

        using var rig = new GroupRig(latch: latch);
        Assert.Equal(GroupState.Alarm, rig.Engine.State);
        Assert.True(rig.AllSirensOn);
    }

    [Fact]
    public void AResetAlarmDoesNotResume()
    {
        LatchAnAlarmAndCrash(rig => Assert.True(rig.Engine.Reset("test").Accepted));
        using var latch = Latch();
        using var rig = new GroupRig(latch: latch);
        Assert.Equal(GroupState.Normal, rig.Engine.State);
        Assert.Empty(rig.OfKind(FireEventKind.Alarm));
        Assert.False(rig.AnySirenOn);
    }

    [Fact]
    public void AnUnreadableLatchIsATroubleAndTheEngineStillStarts()
    {
        File.WriteAllText(LatchPath, "{ not json");
        using var latch = Latch();
        using var rig = new GroupRig(latch: latch);
        Assert.Equal(GroupState.Normal, rig.Engine.State);
        var trouble = Assert.Single(rig.OfKind(FireEventKind.Trouble));
        Assert.Equal(("latch", "storage"), (trouble.Channel, trouble.Cause));
        Assert.Null(trouble.AlarmId);

        // And the alarm path works.
        rig.Sim.Trip("h2.call-point.inside");
        rig.Advance(Debounce);
        Assert.Equal(GroupState.Alarm, rig.Engine.State);
    }

    [Fact]
    public void EveryEventOfAnAlarmCarriesItsIdAndTroubleDoesNot()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h6.call-point.inside");
        rig.Advance(Debounce);
        rig.Sim.Trip("h2.call-point.inside");
        rig.Sim.Trip("tamper");
        rig.Advance(Debounce);
        rig.Sim.Restore("h6.call-point.inside");
        rig.Sim.Restore("h2.call-point.inside");
        rig.Advance(Debounce);
        Assert.True(rig.Engine.Silence("test").Accepted);
        Assert.True(rig.Engine.Reset("test").Accepted);

        var alarms = rig.OfKind(FireEventKind.Alarm).ToList();
        Assert.Equal(2, alarms.Count);
        var alarmId = alarms[0].Id;
        var ofTheAlarm = rig.Events.Where(e => e.Kind is FireEventKind.Alarm or FireEventKind.Restore or FireEventKind.Silence or FireEventKind.Reset).ToList();
        Assert.Equal(6, ofTheAlarm.Count);
        Assert.All(ofTheAlarm, e => Assert.Equal(alarmId, e.AlarmId));
        Assert.Null(Assert.Single(rig.OfKind(FireEventKind.Trouble)).AlarmId);
        Assert.Null(rig.Engine.AlarmId);

        // The next alarm is a new one.
        rig.Sim.Trip("h3.call-point.inside");
        rig.Advance(Debounce);
        var next = rig.OfKind(FireEventKind.Alarm).Last();
        Assert.Equal(next.Id, next.AlarmId);
        Assert.NotEqual(alarmId, next.AlarmId);
    }
}
