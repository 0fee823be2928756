using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Tests;

public class SirenTestScheduleTests
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    [Fact]
    public void TheNextTestIsTheComingSundayAtNineInVietnam()
    {
        var o = new SirenTestScheduleOptions();

        // Saturday 5 December 2026, 17:00 in Hanoi: tomorrow.
        var saturday = new DateTimeOffset(2026, 12, 5, 17, 0, 0, Vietnam);
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 9, 0, 0, Vietnam), o.NextAfter(saturday));

        // Sunday 09:00 exactly: the test is now, so the next one is a week later; 08:59 is still today.
        Assert.Equal(new DateTimeOffset(2026, 12, 13, 9, 0, 0, Vietnam), o.NextAfter(new DateTimeOffset(2026, 12, 6, 9, 0, 0, Vietnam)));
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 9, 0, 0, Vietnam), o.NextAfter(new DateTimeOffset(2026, 12, 6, 8, 59, 0, Vietnam)));

        // A UTC clock late on Saturday is already Sunday morning in Vietnam.
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 9, 0, 0, Vietnam), o.NextAfter(new DateTimeOffset(2026, 12, 5, 23, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void BadSettingsNameTheKey()
    {
        var v = new SirenTestScheduleOptionsValidator();
        Assert.Contains("SirenTest:Duration", Assert.Single(v.Validate(null, new SirenTestScheduleOptions { Duration = TimeSpan.FromMinutes(30) }).Failures!), StringComparison.Ordinal);
        Assert.Contains("SirenTest:TimeZone", Assert.Single(v.Validate(null, new SirenTestScheduleOptions { TimeZone = "Mars/Olympus" }).Failures!), StringComparison.Ordinal);
        Assert.True(v.Validate(null, new SirenTestScheduleOptions()).Succeeded);
    }

    [Fact]
    public async Task TheScheduledTestSoundsEverySirenAsATestAndReportsEachSirensFeedback()
    {
        using var rig = new GroupRig();
        rig.Sim.KillSiren("h3.siren");
        var options = new SirenTestScheduleOptions { Duration = TimeSpan.FromSeconds(5) };
        // The scheduler's own clock starts two seconds before Sunday 09:00 (the engine's clock would have to run
        // through days of scan ticks to get there).
        var week = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 8, 59, 58, Vietnam));
        using var scheduler = new SirenTestScheduler(rig.Engine, Options.Create(options), week, NullLogger<SirenTestScheduler>.Instance);
        await scheduler.StartAsync(CancellationToken.None);
        Assert.True(SpinWait.SpinUntil(() => scheduler.Next is not null, TimeSpan.FromSeconds(5)), "the scheduler never planned a test");
        var due = scheduler.Next!.Value;
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 9, 0, 0, Vietnam), due);

        // Nothing before it is due.
        week.Advance(TimeSpan.FromSeconds(1));
        Assert.False(rig.Engine.TestActive);

        week.Advance(TimeSpan.FromSeconds(1));
        Assert.True(SpinWait.SpinUntil(() => rig.OfKind(FireEventKind.SirenTest).Any(), TimeSpan.FromSeconds(5)), "the test did not start when due");
        Assert.True(rig.Engine.TestActive);
        var start = Assert.Single(rig.OfKind(FireEventKind.SirenTest));
        Assert.True(start.Test);
        Assert.Equal("scheduled weekly test", start.Detail);
        Assert.True(rig.AllSirensOn, "every siren is driven in the test (h3's is dead: driven, but its feedback never closes)");

        rig.Advance(options.Duration + TimeSpan.FromMilliseconds(100));
        Assert.False(rig.Engine.TestActive);
        var end = rig.OfKind(FireEventKind.SirenTest).Last();
        Assert.Equal("end:completed", end.Cause);
        Assert.True(end.Test);
        Assert.Contains("no feedback: h3.siren", end.Detail, StringComparison.Ordinal);
        var supervised = rig.Sim.Profile.Channels.Count(c => c.Kind == Hardware.Profiles.ChannelKind.SirenFeedback);
        Assert.Equal(supervised - 1, end.Value);
        Assert.Contains($"feedback ok {supervised - 1}/{supervised}", end.Detail, StringComparison.Ordinal);

        // A test never notifies anyone: every event it caused says test, and none is an alarm.
        Assert.All(rig.Events, e => Assert.True(e.Test, $"{e.Kind} {e.Cause} is not marked as a test"));
        Assert.Empty(rig.OfKind(FireEventKind.Alarm));

        // And the next one is planned a week later.
        Assert.True(SpinWait.SpinUntil(() => scheduler.Next > due, TimeSpan.FromSeconds(5)));
        Assert.Equal(due.AddDays(7), scheduler.Next);
        await scheduler.StopAsync(CancellationToken.None);
    }
}
