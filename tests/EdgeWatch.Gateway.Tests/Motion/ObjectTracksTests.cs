using EdgeWatch.Gateway.Motion;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

/// <summary>The track-level filters on blobs given directly: each threshold in seconds and scene pixels.</summary>
public class ObjectTracksTests
{
    private static readonly MotionSettings Settings = MotionSettings.Default;

    /// <summary>Feeds one blob per frame from <paramref name="at"/> at <paramref name="fps"/>; returns when a track was first confirmed.</summary>
    private static double? FirstConfirmed(Func<double, Rect?> at, double seconds, double fps)
    {
        var tracks = new ObjectTracks(Settings);
        for (var i = 0; i <= seconds * fps; i++)
        {
            var t = i / fps;
            var blob = at(t);
            if (tracks.Update(blob is { } b ? [b] : [], t).Count > 0)
            {
                return t;
            }
        }

        return null;
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void AWalkerIsConfirmedOnceFollowedForTheShortLivedFiltersTimeAtAnyFrameRate(double fps)
    {
        // 30×80 px, 45 px/s across the lawn: a walker at mid distance.
        var confirmed = FirstConfirmed(t => new Rect(100 + (int)(45 * t), 200, 30, 80), 6, fps);

        Assert.NotNull(confirmed);
        Assert.InRange(confirmed.Value, Settings.MinTrackSeconds, Settings.MinTrackSeconds + (1 / fps) + 0.01);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void ABranchSwayingBackAndForthIsNeverConfirmed(double fps)
    {
        // ±25 px at 0.6 Hz for 20 s: a branch in a strong gust goes further than a walker's first second, and comes back.
        var confirmed = FirstConfirmed(t => new Rect(300 + (int)(25 * Math.Sin(2 * Math.PI * 0.6 * t)), 120, 28, 24), 20, fps);

        Assert.Null(confirmed);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void AnInsectsBlobThatSwellsAndShrinksAsItDriftsIsNeverConfirmed(double fps)
    {
        // A blurred insect at the lens drifting 30 px/s, its blob swelling from 16 to 48 px wide and back every 2 s:
        // each step is well within MaxResize, but over a run it is no body keeping its size.
        var confirmed = FirstConfirmed(t =>
        {
            var side = (int)(32 + (16 * Math.Sin(Math.PI * t)));
            return new Rect(200 + (int)(30 * t) - (side / 2), 150 - (side / 2), side, side);
        }, 12, fps);

        Assert.Null(confirmed);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void AWalkerComingInAtTheEdgeIsConfirmedAsSoonAsOneAlreadyInView(double fps)
    {
        // 30×80 px at 45 px/s from the left edge: the box grows from a sliver while it is cut by the edge.
        var confirmed = FirstConfirmed(t =>
        {
            var left = (int)(45 * t) - 30;
            return new Rect(Math.Max(0, left), 200, Math.Max(2, Math.Min(30, 30 + left)), 80);
        }, 6, fps);

        Assert.NotNull(confirmed);
        Assert.InRange(confirmed.Value, Settings.MinTrackSeconds, Settings.MinTrackSeconds + (1 / fps) + 0.01);
    }

    [Fact]
    public void ATrackHoppingBetweenLeavesFasterThanAnObjectMovesStartsItsRunAgain()
    {
        // Fragments of a crown, 30 px apart, taken in turn every frame: steady in direction, but no body moves like that.
        var confirmed = FirstConfirmed(t => new Rect(100 + (30 * (int)Math.Round(t * 10 % 5)), 100, 24, 24), 10, 10);

        Assert.Null(confirmed);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void AFastPlainCarWhoseBlobFlickersFromFrameToFrameIsConfirmedAtAnyFrameRate(double fps)
    {
        // A car whose body matches the road, 235 px/s to the left: its blob is its front on one frame and its back on
        // the next, so the box jitters 30 px to and fro about its course. At 10 fps that is more than a frame's step:
        // frame by frame it seems to turn back and jump ahead.
        var confirmed = FirstConfirmed(t =>
        {
            var back = (int)Math.Round(t * fps) % 2 == 1;
            var left = 540 - (int)(235 * t);
            return left < 0 ? null : new Rect(left + (back ? 30 : 0), 264, 110, 60);
        }, 2.4, fps);

        Assert.NotNull(confirmed);
        Assert.InRange(confirmed.Value, Settings.MinTrackSeconds, Settings.MinTrackSeconds + (2 / fps) + 0.01);
    }

    [Fact]
    public void ABlobThatJumpsFromStandstillWithinOneFrameStartsItsRunAgain()
    {
        // At 10 fps: an insect at the lens, still for half a second, darts 30 px in one frame and hovers there. A body
        // at rest does not cover its own size in a tenth of a second; judged over two frames, it would have seemed to.
        var confirmed = FirstConfirmed(t => t < 0.55 ? new Rect(200, 60, 20, 40) : new Rect(228, 62, 24, 24), 6, 10);

        Assert.Null(confirmed);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void AWalkerUnseenBehindAPostIsFollowedOnAcrossTheGap(double fps)
    {
        // The walker above, hidden from 0.5 s to 1 s: it comes back where its course says.
        var confirmed = FirstConfirmed(t => t is > 0.5 and < 1.0 ? null : new Rect(100 + (int)(45 * t), 200, 30, 80), 6, fps);

        Assert.NotNull(confirmed);
        Assert.InRange(confirmed.Value, Settings.MinTrackSeconds, Settings.MinTrackSeconds + (1 / fps) + 0.01);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void AnInsectsBlobThatVanishesAndComesBackSomeWayOffHasNotTravelledThere(double fps)
    {
        // A blurry insect near the lens: one still blob for a moment, nothing for 0.3 s, then another blob 45 px off
        // (near enough to be taken for the same track) that hovers there. A body would have had to cross those 45 px
        // unseen, against its course.
        var confirmed = FirstConfirmed(t => t switch
        {
            < 0.45 => new Rect(200, 60, 20, 30),
            < 0.75 => null,
            _ => new Rect(221, 32, 40, 22),
        }, 6, fps);

        Assert.Null(confirmed);
    }

    [Fact]
    public void AFlickerShorterThanTheShortLivedFiltersTimeIsNotConfirmed()
    {
        // A moth crossing fast for less than the filter's time, then gone.
        var confirmed = FirstConfirmed(t => t < Settings.MinTrackSeconds - 0.3 ? new Rect(50 + (int)(200 * t), 60, 40, 40) : null, 5, 10);

        Assert.Null(confirmed);
    }

    [Fact]
    public void TheSmallObjectFilterScalesWithPerspectiveSoADistantWalkerCountsAndNearSpeckleDoesNot()
    {
        var tracks = new ObjectTracks(Settings);
        var far = tracks.MinHeightAt(0);
        var near = tracks.MinHeightAt(Settings.DetectHeight);

        Assert.Equal(Settings.FarObjectHeight, far);
        Assert.Equal(Settings.NearObjectHeight, near);

        // A 22 px walker far away (near the top) at 12 px/s is kept; the same blob near the bottom is not.
        Assert.NotNull(FirstConfirmed(t => new Rect(200 + (int)(12 * t), 60, 9, 22), 8, 5));
        Assert.Null(FirstConfirmed(t => new Rect(200 + (int)(12 * t), Settings.DetectHeight - 30, 9, 22), 8, 5));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void ACarSeenFromTheSideCountsByHalfItsWidthWhenOnlyItsWindowsShow(double fps)
    {
        // Near the bottom the filter wants 30 px of height. A car whose body matches the road shows only its windows,
        // a strip 70×27 px crossing at 240 px/s: it counts by half its width. A low streak of 50×20 px does not.
        var bottom = 270;
        Assert.True(new ObjectTracks(Settings).MinHeightAt(bottom) > 27);

        Assert.NotNull(FirstConfirmed(t => new Rect(20 + (int)(240 * t), bottom - 27, 70, 27), 2.5, fps));
        Assert.Null(FirstConfirmed(t => new Rect(20 + (int)(240 * t), bottom - 20, 50, 20), 2.5, fps));
    }
}
