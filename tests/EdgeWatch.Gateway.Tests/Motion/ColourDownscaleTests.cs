using EdgeWatch.Gateway.Motion;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

/// <summary>Grey and chroma in one pass from the BGR frame: what OpenCV's area resize per channel and BT.601 luma give.</summary>
public sealed class ColourDownscaleTests
{
    /// <summary>Grey and the two relative chroma planes from OpenCV: area means of <paramref name="bgr"/>, then per pixel.</summary>
    private static (Mat Grey, Mat Chroma) Reference(Mat bgr, Size to)
    {
        using var exact = new Mat();
        bgr.ConvertTo(exact, MatType.CV_32FC3); // means in float, not rounded to a byte per channel
        using var floats = new Mat();
        Cv2.Resize(exact, floats, to, 0, 0, InterpolationFlags.Area);
        var grey = new Mat(to, MatType.CV_32FC1);
        var chroma = new Mat(to.Height * 2, to.Width, MatType.CV_32FC1);
        for (var y = 0; y < to.Height; y++)
        {
            for (var x = 0; x < to.Width; x++)
            {
                var p = floats.At<Vec3f>(y, x);
                var luma = (0.114 * p.Item0) + (0.587 * p.Item1) + (0.299 * p.Item2);
                grey.Set(y, x, (float)luma);
                var relative = 128 / Math.Max(luma, ColourDownscale.ChromaFloor);
                chroma.Set(y, x, (float)((p.Item0 - luma) * relative));
                chroma.Set(y + to.Height, x, (float)((p.Item2 - luma) * relative));
            }
        }

        return (grey, chroma);
    }

    private static double Largest(Mat a, Mat b)
    {
        using var fa = new Mat();
        using var fb = new Mat();
        a.ConvertTo(fa, MatType.CV_32F);
        b.ConvertTo(fb, MatType.CV_32F);
        using var diff = new Mat();
        Cv2.Absdiff(fa, fb, diff);
        Cv2.MinMaxLoc(diff, out _, out double largest);
        return largest;
    }

    [Theory]
    [InlineData(640, 360, true)] // the detector's shape: 640 = 3 × 213 + 1
    [InlineData(639, 360, true)] // whole blocks
    [InlineData(600, 360, false)] // anything else: OpenCV's resize
    public void NoiseComesOutAsTheAreaMeansGiveIt(int width, int height, bool fast)
    {
        using var noise = new Mat(height, width, MatType.CV_8UC3);
        Cv2.Randu(noise, Scalar.All(0), Scalar.All(256));
        var to = new Size(213, 120);
        using var downscale = new ColourDownscale(noise.Size(), to);
        Assert.Equal(fast, downscale.Fast);
        using var grey = new Mat();
        using var chroma = new Mat();
        downscale.Apply(noise, grey, chroma);

        var (refGrey, refChroma) = Reference(noise, to);
        using (refGrey)
        using (refChroma)
        {
            Assert.Equal((to, MatType.CV_8UC1), (grey.Size(), grey.Type()));
            Assert.Equal((new Size(to.Width, to.Height * 2), MatType.CV_32FC1), (chroma.Size(), chroma.Type()));
            Assert.True(Largest(grey, refGrey) <= 0.5 + 1e-3, $"grey {Largest(grey, refGrey)} off");
            Assert.True(Largest(chroma, refChroma) <= 0.01, $"chroma {Largest(chroma, refChroma)} off");
        }
    }

    [Fact]
    public void AShadowLeavesChromaAloneAndABodyOfTheRoadsGreyButAnotherColourStandsOutInIt()
    {
        using var downscale = new ColourDownscale(new Size(640, 360), new Size(213, 120));
        (double Grey, double U, double V) Flat(Scalar colour)
        {
            using var frame = new Mat(360, 640, MatType.CV_8UC3, colour);
            using var grey = new Mat();
            using var chroma = new Mat();
            downscale.Apply(frame, grey, chroma);
            return (grey.At<byte>(60, 100), chroma.At<float>(60, 100), chroma.At<float>(180, 100));
        }

        static double ChromaChange((double Grey, double U, double V) a, (double Grey, double U, double V) b) => Math.Abs(a.U - b.U) + Math.Abs(a.V - b.V);

        var grass = Flat(new Scalar(60, 150, 90));
        var shaded = Flat(new Scalar(36, 90, 54)); // the same grass in a shadow: every channel at 60 %
        var road = Flat(new Scalar(100, 100, 100));
        var olive = Flat(new Scalar(36, 112, 104)); // BT.601 luma 101: the road's grey

        Assert.True(ChromaChange(grass, shaded) < 1, $"a shadow changed the chroma by {ChromaChange(grass, shaded)}");
        Assert.True(grass.Grey - shaded.Grey > 30, "the shadow did not darken the grey");
        Assert.True(Math.Abs(road.Grey - olive.Grey) <= 1, $"grey {road.Grey} and {olive.Grey}");
        Assert.True(ChromaChange(road, olive) > 60, $"the olive body changed the chroma by only {ChromaChange(road, olive)}");
    }
}
