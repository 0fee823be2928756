using EdgeWatch.Gateway.Motion;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Gateway.Tests.Motion;

public class StreamClockTests
{
    [Fact]
    public void AReconnectGoesOnFromTheLastFrameByTheTimeTheStreamWasAway()
    {
        var time = new FakeTimeProvider();
        var clock = new StreamClock(time);
        clock.Reconnected(5);
        for (var i = 0; i < 15; i++)
        {
            Assert.Equal(i / 5.0, clock.At(i / 5.0), 9); // the first connection's own times
            time.Advance(TimeSpan.FromMilliseconds(200));
        }

        // The stream broke after its frame at 2.8 s and came back 6 s later, counting from zero again.
        time.Advance(TimeSpan.FromSeconds(6) - TimeSpan.FromMilliseconds(200));
        clock.Reconnected(5);
        Assert.Equal(2.8 + 6, clock.At(0), 9);
        Assert.Equal(2.8 + 6 + 1, clock.At(1), 9);
    }

    [Fact]
    public void AnImmediateReconnectStillMovesTheClockOnByAFrame()
    {
        var time = new FakeTimeProvider();
        var clock = new StreamClock(time);
        clock.Reconnected(10);
        Assert.Equal(3.0, clock.At(3.0), 9);
        clock.Reconnected(10); // a looped recording starts again at once
        Assert.Equal(3.1, clock.At(0), 9);
    }
}
