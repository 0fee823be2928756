using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.Tests;

/// <summary>
/// An expander that refuses writes during an alarm (rpi4-mcp23017: sirens h1–h4 on mcp-a, h5–h8 on mcp-b): the sirens on
/// the healthy expander sound at once, the alarm is raised whatever the hardware did, a trouble names the expander, and
/// the refused writes are retried until they succeed.
/// </summary>
public class SirenWriteFaultTests
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);
    private static readonly string[] OnMcpA = ["h1.siren", "h2.siren", "h3.siren", "h4.siren"];
    private static readonly string[] OnMcpB = ["h5.siren", "h6.siren", "h7.siren", "h8.siren"];

    private static bool StrobeOn(GroupRig rig) =>
        rig.Sim.Profile.Channels.Where(c => c.Kind == Hardware.Profiles.ChannelKind.Strobe).All(c => rig.Sim.IsOn(c.Id));

    [Fact]
    public void PermanentWriteFailureOnOneExpanderLeavesTheOtherSoundingAndTheAlarmRaised()
    {
        using var rig = new GroupRig();
        rig.Sim.Expander("mcp-a").FailAllWrites = true;

        rig.Sim.Trip("h6.call-point.inside");
        rig.Advance(Debounce);

        Assert.Equal(GroupState.Alarm, rig.Engine.State);
        Assert.Single(rig.OfKind(FireEventKind.Alarm));
        Assert.All(OnMcpB, s => Assert.True(rig.Sim.IsOn(s), $"{s} on the healthy expander must sound"));
        Assert.All(OnMcpA, s => Assert.False(rig.Sim.IsOn(s)));
        Assert.True(StrobeOn(rig));

        var troubles = rig.OfKind(FireEventKind.Trouble).Where(t => t.Cause == "output-write-failed").ToList();
        Assert.Equal(OnMcpA, troubles.Select(t => t.Channel).Order());
        Assert.All(troubles, t => Assert.Contains("mcp-a", t.Detail, StringComparison.Ordinal));

        // Retried at least every 250 ms while it fails.
        var before = rig.Sim.Expander("mcp-a").FailedWrites;
        rig.Advance(TimeSpan.FromSeconds(1));
        Assert.True(rig.Sim.Expander("mcp-a").FailedWrites >= before + 4, $"{rig.Sim.Expander("mcp-a").FailedWrites - before} retries in 1 s");

        // The chip answers again: its sirens join the cadence within one retry, and the trouble clears.
        rig.Sim.Expander("mcp-a").FailAllWrites = false;
        var sounded = false;
        for (var t = TimeSpan.Zero; t <= TimeSpan.FromSeconds(4) && !sounded; t += TimeSpan.FromMilliseconds(10))
        {
            rig.Advance(TimeSpan.FromMilliseconds(10));
            sounded = OnMcpA.All(rig.Sim.IsOn);
        }

        Assert.True(sounded, "the sirens on mcp-a never sounded after the chip recovered");
        Assert.Equal(OnMcpA, rig.OfKind(FireEventKind.TroubleCleared).Where(t => t.Cause == "output-write-failed").Select(t => t.Channel).Order());
        Assert.Single(rig.OfKind(FireEventKind.Alarm));
    }

    [Fact]
    public void TransientWriteFailureIsRetriedWithin250Milliseconds()
    {
        using var rig = new GroupRig();

        // Trip between two input scans (every 100 ms), and arm the single NAK just before the debounce ends, so that
        // the write it hits is the siren write, not a scan.
        rig.Advance(TimeSpan.FromMilliseconds(30));
        rig.Sim.Trip("h6.call-point.inside");
        rig.Advance(Debounce - TimeSpan.FromMilliseconds(1));
        Assert.Empty(rig.OfKind(FireEventKind.Alarm));
        rig.Sim.Expander("mcp-a").FailNextWrites(1);
        rig.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Single(rig.OfKind(FireEventKind.Alarm));
        Assert.All(OnMcpB, s => Assert.True(rig.Sim.IsOn(s)));
        Assert.Equal(1, rig.Sim.Expander("mcp-a").FailedWrites);
        Assert.Contains(rig.OfKind(FireEventKind.Trouble), t => t.Cause == "output-write-failed" && t.Channel == "h1.siren");

        rig.Advance(SirenBank.RetryInterval);
        Assert.True(rig.AllSirensOn, "one NAK must not keep the sirens of mcp-a silent");
        Assert.Contains(rig.OfKind(FireEventKind.TroubleCleared), t => t.Cause == "output-write-failed" && t.Channel == "h1.siren");
    }

    [Fact]
    public void FailingWriteWhileHushedIsRetriedSoTheSirensReallyStop()
    {
        using var rig = new GroupRig();
        rig.Sim.Trip("h6.call-point.inside");
        rig.Advance(Debounce);
        Assert.True(rig.AllSirensOn);

        rig.Sim.Expander("mcp-b").FailNextWrites(2);
        Assert.True(rig.Engine.Silence("test").Accepted);
        Assert.All(OnMcpA, s => Assert.False(rig.Sim.IsOn(s)));

        rig.Advance(SirenBank.RetryInterval * 3);
        Assert.False(rig.AnySirenOn);
        Assert.True(StrobeOn(rig), "strobes stay on while silenced");
    }
}
