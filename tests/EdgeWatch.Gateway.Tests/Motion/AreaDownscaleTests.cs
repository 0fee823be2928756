using EdgeWatch.Gateway.Motion;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

/// <summary>The detector's downscaling gives OpenCV's area resize, to rounding.</summary>
public class AreaDownscaleTests
{
    private static (int Differing, double Largest) Compare(Mat grey, Size to, bool fast)
    {
        var downscale = new AreaDownscale(grey.Size(), to);
        Assert.Equal(fast, downscale.Fast);
        using var ours = new Mat();
        using var theirs = new Mat();
        downscale.Apply(grey, ours);
        Cv2.Resize(grey, theirs, to, 0, 0, InterpolationFlags.Area);
        Assert.Equal(theirs.Size(), ours.Size());
        Assert.Equal(MatType.CV_8UC1, ours.Type());
        using var diff = new Mat();
        Cv2.Absdiff(ours, theirs, diff);
        Cv2.MinMaxLoc(diff, out _, out double largest);
        return (Cv2.CountNonZero(diff), largest);
    }

    [Theory]
    [InlineData(640, 360, 213, 120, true)] // the detector's shape: 640 = 3 × 213 + 1
    [InlineData(639, 360, 213, 120, true)] // whole blocks
    [InlineData(600, 360, 213, 120, false)] // anything else: OpenCV's resize
    public void NoiseComesOutAsTheAreaResizeGivesItToRounding(int width, int height, int toWidth, int toHeight, bool fast)
    {
        using var noise = new Mat(height, width, MatType.CV_8UC1);
        Cv2.Randu(noise, Scalar.All(0), Scalar.All(256));
        var (differing, largest) = Compare(noise, new Size(toWidth, toHeight), fast);
        Assert.True(largest <= 1, $"a pixel {largest} grey levels off");
        Assert.True(differing <= toWidth * toHeight / 200, $"{differing} of {toWidth * toHeight} pixels off by one");
    }

    [Fact]
    public void RealFramesComeOutAsTheAreaResizeGivesThem()
    {
        using var source = FfmpegFrameSource.Open(EdgeWatch.Testing.Repo.Sample("vtest.avi"), 640, 360, 10);
        using var grey = new Mat();
        var frames = 0;
        while (frames < 50 && source.TryRead(out var frame, out _))
        {
            Cv2.CvtColor(frame, grey, ColorConversionCodes.BGR2GRAY);
            var (differing, largest) = Compare(grey, new Size(213, 120), fast: true);
            Assert.True(largest <= 1 && differing <= 213 * 120 / 200, $"frame {frames}: {differing} pixels off, by up to {largest}");
            frames++;
        }

        Assert.Equal(50, frames);
    }
}
