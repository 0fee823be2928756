using EdgeWatch.Gateway.Motion;

namespace EdgeWatch.Gateway.Tests.Motion;

public class SignalWatchTests
{
    private const double Hold = 30;

    /// <summary>Feeds <paramref name="seconds"/> of frames at <paramref name="fps"/> from <paramref name="from"/>; returns every change.</summary>
    private static List<SignalChange> Feed(SignalWatch watch, double fps, double from, double seconds, Func<int, string?> fault)
    {
        var changes = new List<SignalChange>();
        var frames = (int)Math.Round(seconds * fps);
        for (var i = 0; i < frames; i++)
        {
            changes.AddRange(watch.Add(fault(i), from + (i / fps)));
        }

        return changes;
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void AFrozenPictureIsReportedOnceAfterTheHoldAndClearedWhenItMovesAgain(double fps)
    {
        var watch = new SignalWatch(Hold);
        Assert.Empty(Feed(watch, fps, 0, 10, _ => null));
        var frozen = Feed(watch, fps, 10, 40, _ => "frozen");
        var on = Assert.Single(frozen);
        Assert.Equal(("frozen", true), (on.Fault, on.On));
        Assert.InRange(on.Seconds, 10 + Hold, 10 + Hold + (1 / fps)); // at the hold, not a frame later
        Assert.Equal("frozen", watch.Reported);

        var moving = Feed(watch, fps, 50, 10, _ => null);
        var off = Assert.Single(moving);
        Assert.Equal(("frozen", false), (off.Fault, off.On));
        Assert.InRange(off.Seconds, 50 + SignalWatch.ClearSeconds - (1 / fps), 50 + SignalWatch.ClearSeconds + (1 / fps));
        Assert.Null(watch.Reported);
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(10, false)]
    [InlineData(5, true)]
    [InlineData(10, true)]
    public void AStillCompressedScenesRepeatedFramesAreNeverATrouble(double fps, bool lowBitRate)
    {
        // An H.264 camera on a still scene, a key frame every 2 s: it repeats the frame after each key frame exactly
        // (every block skipped), and at a low bit rate every frame but the key frames.
        var watch = new SignalWatch(Hold);
        var every = (int)(2 * fps);
        Assert.Empty(Feed(watch, fps, 0, 300, i => (lowBitRate ? i % every != 0 : i % every == 1) ? "frozen" : null));
        Assert.Null(watch.Reported);
    }

    [Fact]
    public void AFreezeGoesOnAcrossAReconnectThatStartsTheStreamsClockAgain()
    {
        var watch = new SignalWatch(Hold);
        Assert.Empty(Feed(watch, 10, 100, 20, _ => "frozen"));

        // ffmpeg reconnected: frames count from 0 again, and the camera is still frozen.
        var on = Assert.Single(Feed(watch, 10, 0, 40, _ => "frozen"));
        Assert.Equal(("frozen", true), (on.Fault, on.On));
        Assert.InRange(on.Seconds, Hold - 0.05, Hold + 0.15);

        // Another reconnect, now with a live picture: the trouble clears after its quiet time on the new clock.
        var off = Assert.Single(Feed(watch, 10, 0, 10, _ => null));
        Assert.Equal(("frozen", false), (off.Fault, off.On));
        Assert.InRange(off.Seconds, SignalWatch.ClearSeconds - 0.15, SignalWatch.ClearSeconds + 0.15);
    }

    [Fact]
    public void AFaultShorterThanTheHoldIsNotReported()
    {
        var watch = new SignalWatch(Hold);
        Assert.Empty(Feed(watch, 10, 0, Hold - 1, _ => "signal-loss"));
        Assert.Empty(Feed(watch, 10, Hold - 1, 20, _ => null));
        Assert.Empty(Feed(watch, 10, Hold + 19, Hold - 1, _ => "signal-loss")); // a new run starts from nothing
    }

    [Fact]
    public void TornFramesBetweenGoodOnesKeepTheRunGoingAndReportTorn()
    {
        var watch = new SignalWatch(Hold);
        var changes = Feed(watch, 10, 0, 40, i => i % 2 == 0 ? "torn" : null);
        var on = Assert.Single(changes);
        Assert.Equal(("torn", true), (on.Fault, on.On));
    }

    [Fact]
    public void AFaultThatChangesKindIsReportedAsTheNewOneOnceItIsTheCommonest()
    {
        var watch = new SignalWatch(Hold);
        var frozen = Assert.Single(Feed(watch, 10, 0, 35, _ => "frozen"));
        Assert.Equal(("frozen", true), (frozen.Fault, frozen.On));

        // The picture then goes grey: 350 frozen frames are in the run, so grey takes over after 35 s more.
        var changes = Feed(watch, 10, 35, 40, _ => "signal-loss");
        Assert.Equal([("frozen", false), ("signal-loss", true)], changes.Select(c => (c.Fault, c.On)));
        Assert.InRange(changes[0].Seconds, 70, 70.2);
        Assert.Equal("signal-loss", watch.Reported);
    }
}
