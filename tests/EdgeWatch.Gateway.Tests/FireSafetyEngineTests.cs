using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.Tests;

public class FireSafetyEngineTests
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);

    [Theory]
    [InlineData("rpi4-mcp23017", "h5.smoke")]
    [InlineData("rpi4-mcp23017", "h7.call-point.outside")]
    [InlineData("rpi4-direct", "h3.smoke")]
    public void SmokeInHouseholdSoundsEveryGroupSiren(string profile, string detector)
    {
        using var rig = new GroupRig(profile);
        rig.Sim.Trip(detector);
        rig.Advance(Debounce);

        Assert.True(rig.AllSirensOn);
        Assert.All(rig.Sim.Profile.Channels.Where(c => c.Kind == Hardware.Profiles.ChannelKind.Strobe), s => Assert.True(rig.Sim.IsOn(s.Id)));
        Assert.Equal(GroupState.Alarm, rig.Engine.State);
        var alarm = Assert.Single(rig.OfKind(FireEventKind.Alarm));
        Assert.Equal(detector, alarm.Channel);
        Assert.Equal(detector.Split('.')[0], alarm.Household);
        Assert.False(alarm.Test);
    }

    [Fact]
    public void AlarmIsNotRaisedBeforeTheDebounceRunsOut()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h5.smoke");
        rig.Advance(Debounce - TimeSpan.FromMilliseconds(10));
        Assert.False(rig.AnySirenOn);
        rig.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(rig.AllSirensOn);
    }

    [Fact]
    public void GlitchShorterThanDebounceIsIgnored()
    {
        using var rig = new GroupRig();
        rig.Sim.Glitch("h6.call-point.inside", TimeSpan.FromMilliseconds(150));
        rig.Advance(TimeSpan.FromSeconds(2));

        Assert.False(rig.AnySirenOn);
        Assert.Empty(rig.OfKind(FireEventKind.Alarm));
        Assert.Equal(GroupState.Normal, rig.Engine.State);
    }

    [Fact]
    public void BouncingContactAlarmsOnceItSettles()
    {
        using var rig = new GroupRig();
        for (var i = 0; i < 5; i++)
        {
            rig.Sim.Trip("h6.smoke");
            rig.Advance(TimeSpan.FromMilliseconds(30));
            rig.Sim.Restore("h6.smoke");
            rig.Advance(TimeSpan.FromMilliseconds(30));
        }

        Assert.Empty(rig.OfKind(FireEventKind.Alarm));
        rig.Sim.Trip("h6.smoke");
        rig.Advance(Debounce);
        Assert.Single(rig.OfKind(FireEventKind.Alarm));
    }

    [Fact]
    public void TwoDetectorsAtOnceRaiseAnAlarmEachAndKeepSounding()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h5.smoke");
        rig.Sim.Trip("h8.call-point.inside");
        rig.Advance(Debounce);

        Assert.Equal(["h5.smoke", "h8.call-point.inside"], rig.OfKind(FireEventKind.Alarm).Select(e => e.Channel).Order());
        Assert.True(rig.AllSirensOn);
        Assert.Equal(2, rig.Engine.ActiveAlarms.Count);
        var seqs = rig.Events.Select(e => e.Seq).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
    }

    [Fact]
    public void SirensFollowTheTemporalThreePattern()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h5.smoke");
        rig.Advance(Debounce);
        var expected = new[] { true, false, true, false, true, false, false, false, true };
        var seen = new List<bool>();
        foreach (var _ in expected)
        {
            seen.Add(rig.AllSirensOn);
            Assert.Equal(rig.AllSirensOn, rig.AnySirenOn); // all together, never some
            rig.Advance(TimeSpan.FromMilliseconds(500));
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public void SilenceStopsSirensButKeepsTheAlarmAndStrobes()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h5.smoke");
        rig.Advance(Debounce);

        var result = rig.Engine.Silence("test");
        Assert.True(result.Accepted);
        Assert.Equal(GroupState.Silenced, rig.Engine.State);
        rig.Advance(TimeSpan.FromSeconds(10));
        Assert.False(rig.AnySirenOn);
        Assert.True(rig.Sim.IsOn("strobe"));
        Assert.Single(rig.OfKind(FireEventKind.Silence));
    }

    [Fact]
    public void SilenceThenSecondDetectorResoundsSirens()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h5.smoke");
        rig.Advance(Debounce);
        rig.Engine.Silence("test");
        rig.Advance(TimeSpan.FromSeconds(5));
        Assert.False(rig.AnySirenOn);

        rig.Sim.Trip("h2.call-point.outside");
        rig.Advance(Debounce);

        Assert.True(rig.AllSirensOn);
        Assert.Equal(GroupState.Alarm, rig.Engine.State);
        Assert.Equal(2, rig.OfKind(FireEventKind.Alarm).Count());
        Assert.Equal("new-detector", Assert.Single(rig.OfKind(FireEventKind.Resound)).Cause);
    }

    [Fact]
    public void SilenceExpiryResoundsSirens()
    {
        using var rig = new GroupRig(configure: o => o.SilenceDuration = TimeSpan.FromSeconds(60));
        rig.Sim.Trip("h5.smoke");
        rig.Advance(Debounce);
        rig.Engine.Silence("test");
        rig.Advance(TimeSpan.FromSeconds(59), TimeSpan.FromMilliseconds(100));
        Assert.False(rig.AnySirenOn);
        Assert.Equal(GroupState.Silenced, rig.Engine.State);

        rig.Advance(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100));
        Assert.Equal(GroupState.Alarm, rig.Engine.State);
        Assert.Equal("silence-expired", Assert.Single(rig.OfKind(FireEventKind.Resound)).Cause);
        Assert.True(rig.AllSirensOn);
    }

    [Fact]
    public void SilenceInputSilencesLikeTheCommand()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h5.smoke");
        rig.Advance(Debounce);
        rig.Sim.Trip("silence");
        rig.Advance(Debounce);
        Assert.Equal(GroupState.Silenced, rig.Engine.State);
        Assert.Equal("input silence", Assert.Single(rig.OfKind(FireEventKind.Silence)).Cause);
    }

    [Fact]
    public void ResetRefusedWhileAnInputIsActive()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h5.smoke");
        rig.Advance(Debounce);

        var refused = rig.Engine.Reset("test");
        Assert.False(refused.Accepted);
        Assert.Contains("h5.smoke", refused.Message);
        Assert.Equal(GroupState.Alarm, rig.Engine.State);
        Assert.Empty(rig.OfKind(FireEventKind.Reset));

        rig.Sim.Restore("h5.smoke");
        rig.Advance(Debounce);
        Assert.Single(rig.OfKind(FireEventKind.Restore));
        Assert.Equal(GroupState.Alarm, rig.Engine.State); // latched until reset

        var accepted = rig.Engine.Reset("test");
        Assert.True(accepted.Accepted);
        Assert.Equal(GroupState.Normal, rig.Engine.State);
        rig.Advance(TimeSpan.FromSeconds(5));
        Assert.False(rig.AnySirenOn);
        Assert.False(rig.Sim.IsOn("strobe"));
        Assert.Single(rig.OfKind(FireEventKind.Reset));
    }

    [Fact]
    public void ResetRefusedWhileAContactIsHeldButNotYetDebounced()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h5.smoke");
        rig.Advance(Debounce);
        rig.Sim.Restore("h5.smoke");
        rig.Advance(Debounce);
        rig.Sim.Trip("h1.call-point.inside");
        Assert.False(rig.Engine.Reset("test").Accepted);
    }

    [Fact]
    public void RateOfRiseAlarmsWithoutTheFixedThreshold()
    {
        using var rig = new GroupRig();
        rig.Sim.SetTemperature("h1.heat", 22);
        rig.Sim.RampTemperature("h1.heat", 10); // 10 °C/min, well under 58 °C for the next few minutes
        rig.Advance(TimeSpan.FromSeconds(29), TimeSpan.FromMilliseconds(100));
        Assert.Empty(rig.OfKind(FireEventKind.Alarm)); // rising fast, but not yet sustained for 30 s

        rig.Advance(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(100));
        var alarm = Assert.Single(rig.OfKind(FireEventKind.Alarm));
        Assert.Equal("heat-rate-of-rise", alarm.Cause);
        Assert.Equal("h1", alarm.Household);
        Assert.True(rig.Sim.Probe("h1.heat").Current < 58);
        Assert.True(rig.AllSirensOn);
    }

    [Fact]
    public void SlowWarmingDoesNotAlarm()
    {
        using var rig = new GroupRig();
        rig.Sim.SetTemperature("h2.heat", 22);
        rig.Sim.RampTemperature("h2.heat", 4); // a sunny afternoon, or a cooker: 4 °C/min
        rig.Advance(TimeSpan.FromMinutes(3), TimeSpan.FromMilliseconds(250));
        Assert.Empty(rig.OfKind(FireEventKind.Alarm));
    }

    [Fact]
    public void FixedThresholdAlarmsButOneWildSampleDoesNot()
    {
        using var rig = new GroupRig();
        rig.Sim.SetTemperature("h5.heat", 30);
        rig.Advance(TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(250));
        rig.Sim.Probe("h5.heat").GlitchOnce(70); // one sample above threshold
        rig.Advance(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(250));
        Assert.Empty(rig.OfKind(FireEventKind.Alarm));

        rig.Sim.SetTemperature("h5.heat", 60);
        rig.Advance(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(250));
        var alarm = Assert.Single(rig.OfKind(FireEventKind.Alarm));
        Assert.Equal("heat-fixed", alarm.Cause);
        Assert.Equal(60, alarm.Value);
    }

    [Fact]
    public void ProbeLostIsTroubleNotAlarmAndRecoveryClearsIt()
    {
        using var rig = new GroupRig();
        rig.Advance(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100));
        rig.Sim.Probe("h6.heat").Lose();
        rig.Advance(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100));
        Assert.Empty(rig.OfKind(FireEventKind.Trouble)); // two failures: not yet
        rig.Advance(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100));

        var trouble = Assert.Single(rig.OfKind(FireEventKind.Trouble));
        Assert.Equal("probe-lost", trouble.Cause);
        Assert.Equal("h6.heat", trouble.Channel);
        Assert.Empty(rig.OfKind(FireEventKind.Alarm));
        Assert.False(rig.AnySirenOn);
        Assert.Contains("probe-lost@h6.heat", rig.Engine.Troubles);

        rig.Sim.Probe("h6.heat").Reconnect();
        rig.Advance(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100));
        Assert.Equal("probe-lost", Assert.Single(rig.OfKind(FireEventKind.TroubleCleared)).Cause);
        Assert.Empty(rig.Engine.Troubles);
    }

    [Fact]
    public void SupervisedLoopInAlarmSoundsSirens()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h3.smoke"); // an ADS1115 loop
        rig.Advance(TimeSpan.FromMilliseconds(400));
        var alarm = Assert.Single(rig.OfKind(FireEventKind.Alarm));
        Assert.Equal("h3.smoke", alarm.Channel);
        Assert.Equal(0.37, alarm.Value!.Value, 0.01);
        Assert.True(rig.AllSirensOn);
    }

    [Theory]
    [InlineData(true, "loop-open")]
    [InlineData(false, "loop-short")]
    public void OpenOrShortLoopIsTroubleNotAlarm(bool open, string cause)
    {
        using var rig = new GroupRig();
        if (open)
        {
            rig.Sim.OpenCircuit("h2.smoke");
        }
        else
        {
            rig.Sim.ShortCircuit("h2.smoke");
        }

        rig.Advance(TimeSpan.FromMilliseconds(500));
        var trouble = Assert.Single(rig.OfKind(FireEventKind.Trouble));
        Assert.Equal(cause, trouble.Cause);
        Assert.Empty(rig.OfKind(FireEventKind.Alarm));
        Assert.False(rig.AnySirenOn);

        rig.Sim.Restore("h2.smoke");
        rig.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(cause, Assert.Single(rig.OfKind(FireEventKind.TroubleCleared)).Cause);
    }

    [Fact]
    public void DeadSirenIsFoundAtTheSirenTest()
    {
        using var rig = new GroupRig();
        rig.Sim.KillSiren("h4.siren");
        Assert.True(rig.Engine.StartSirenTest(TimeSpan.FromSeconds(5)).Accepted);
        rig.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Empty(rig.OfKind(FireEventKind.Trouble));
        rig.Advance(TimeSpan.FromMilliseconds(1));

        var trouble = Assert.Single(rig.OfKind(FireEventKind.Trouble));
        Assert.Equal("siren-no-feedback", trouble.Cause);
        Assert.Equal("h4.siren", trouble.Channel);
        Assert.True(trouble.Test);
        rig.Advance(TimeSpan.FromSeconds(5));
        Assert.False(rig.AnySirenOn);
        Assert.All(rig.OfKind(FireEventKind.SirenTest), e => Assert.True(e.Test));
        Assert.Equal(2, rig.OfKind(FireEventKind.SirenTest).Count());
        Assert.Empty(rig.OfKind(FireEventKind.Alarm));
    }

    [Fact]
    public void HealthySirensPassTheSirenTest()
    {
        using var rig = new GroupRig();
        var result = rig.Engine.StartSirenTest(TimeSpan.FromSeconds(4));
        Assert.True(result.Accepted, result.Message);

        // Every siren is driven, and each one's feedback proves it within the confirm timeout: no trouble.
        rig.Advance(TimeSpan.FromSeconds(1));
        Assert.True(rig.AllSirensOn);
        Assert.All(rig.Sirens, s => Assert.NotNull(rig.Sim.LastSwitchedOn(s)));
        Assert.Empty(rig.OfKind(FireEventKind.Trouble));

        rig.Advance(TimeSpan.FromSeconds(3));
        Assert.False(rig.AnySirenOn);
        Assert.Equal(["start", "end:completed"], rig.OfKind(FireEventKind.SirenTest).Select(e => e.Cause));
        Assert.Empty(rig.OfKind(FireEventKind.Trouble));
    }

    [Fact]
    public void SirenTestIsRefusedDuringAnAlarm()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h2.call-point.inside");
        rig.Advance(Debounce);
        Assert.Equal(GroupState.Alarm, rig.Engine.State);

        var result = rig.Engine.StartSirenTest(TimeSpan.FromSeconds(4));

        Assert.False(result.Accepted);
        Assert.Empty(rig.OfKind(FireEventKind.SirenTest));
        Assert.True(rig.AllSirensOn);
    }

    [Fact]
    public void RealAlarmDuringASirenTestIsNotMarkedTest()
    {
        using var rig = new GroupRig();
        rig.Engine.StartSirenTest(TimeSpan.FromSeconds(30));
        rig.Sim.Trip("h5.smoke");
        rig.Advance(Debounce);
        Assert.False(Assert.Single(rig.OfKind(FireEventKind.Alarm)).Test);
        Assert.False(rig.Engine.TestActive);
        rig.Advance(TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(100));
        Assert.Equal(GroupState.Alarm, rig.Engine.State);
    }

    [Fact]
    public void MainsFailureAndTamperAreTrouble()
    {
        using var rig = new GroupRig();
        rig.Sim.Restore("mains-ok");
        rig.Sim.Trip("tamper");
        rig.Advance(Debounce);
        Assert.Equal(["mains-failure", "tamper"], rig.OfKind(FireEventKind.Trouble).Select(e => e.Cause).Order());
        Assert.False(rig.AnySirenOn);
    }

    [Fact]
    public void DetectorAlreadyActiveAtStartUpAlarms()
    {
        // The detector is active before the engine starts: no edge ever arrives, so only the start-up read can see it.
        using var rig = new GroupRig(beforeStart: sim => sim.Trip("h5.smoke"));
        Assert.Equal(GroupState.Normal, rig.Engine.State);
        Assert.False(rig.AnySirenOn);

        rig.Advance(Debounce);

        var alarm = Assert.Single(rig.OfKind(FireEventKind.Alarm));
        Assert.Equal("h5.smoke", alarm.Channel);
        Assert.Equal(GroupState.Alarm, rig.Engine.State);
        Assert.True(rig.AllSirensOn);
    }

    [Fact]
    public void DetectorActiveAtStartUpOnlyForAGlitchDoesNotAlarm()
    {
        using var rig = new GroupRig(beforeStart: sim => sim.Trip("h5.smoke"));
        rig.Advance(Debounce / 2);
        rig.Sim.Restore("h5.smoke");
        rig.Advance(Debounce * 2);
        Assert.Empty(rig.OfKind(FireEventKind.Alarm));
        Assert.False(rig.AnySirenOn);
    }

    [Fact]
    public void EventsCarryIdentityAndClocks()
    {
        using var rig = new GroupRig();
        rig.Advance(TimeSpan.FromSeconds(1));
        rig.Sim.Trip("h5.smoke");
        rig.Advance(Debounce);
        var alarm = Assert.Single(rig.OfKind(FireEventKind.Alarm));
        Assert.Equal(7, alarm.Id.Version);
        Assert.Equal("town", alarm.Site);
        Assert.Equal("gw-1", alarm.Gateway);
        Assert.Equal("g1", alarm.Group);
        Assert.True(alarm.ClockSynced);
        Assert.Equal(rig.Time.GetUtcNow(), alarm.WallTime);
        Assert.InRange(alarm.MonotonicMs, 1150, 1250);
    }
}
