using System.Runtime.InteropServices;
using EdgeWatch.Gateway.Motion;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

/// <summary>
/// The detector's managed passes give what the OpenCV calls they replaced gave, on seeded random images of the
/// analysis size and of awkward sizes (one pixel wide, not a whole number of vectors, a region of a larger image).
/// </summary>
public class DetectorKernelTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 213, 120, 1 }, // the analysis size
        { 213, 120, 2 },
        { 37, 5, 3 }, // not a whole number of vectors
        { 1, 9, 4 },
        { 64, 1, 5 },
    };

    private static Mat Floats(int width, int height, Random rng, float scale)
    {
        var values = new float[width * height];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(rng.NextDouble() * scale);
        }

        var mat = new Mat(height, width, MatType.CV_32FC1);
        Marshal.Copy(values, 0, mat.Data, values.Length);
        return mat;
    }

    private static Mat Bytes(int width, int height, Random rng, double share, byte on = 255)
    {
        var values = new byte[width * height];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = rng.NextDouble() < share ? on : (byte)0;
        }

        var mat = new Mat(height, width, MatType.CV_8UC1);
        Marshal.Copy(values, 0, mat.Data, values.Length);
        return mat;
    }

    private static void SameBytes(Mat expected, Mat actual, string what)
    {
        Assert.Equal(expected.Size(), actual.Size());
        using var diff = new Mat();
        Cv2.Compare(expected, actual, diff, CmpTypes.NE);
        Assert.True(Cv2.CountNonZero(diff) == 0, $"{what}: {Cv2.CountNonZero(diff)} of {expected.Total()} pixels differ");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ChangeMaskMarksWhatTheThresholdedDifferenceMarksInsideTheMaskAndCountsIt(int width, int height, int seed)
    {
        var rng = new Random(seed);
        using var frame = Floats(width, height, rng, 60);
        using var background = Floats(width, height, rng, 60);
        using var zone = Bytes(width, height, rng, 0.7);
        foreach (var mask in new[] { null, zone })
        {
            using var expected = new Mat();
            using var diff = new Mat();
            Cv2.Absdiff(frame, background, diff);
            Cv2.Threshold(diff, diff, 12, 255, ThresholdTypes.Binary);
            diff.ConvertTo(expected, MatType.CV_8U);
            if (mask is not null)
            {
                Cv2.BitwiseAnd(expected, mask, expected);
            }

            using var changed = new Mat();
            var count = ChangeMask.Apply(frame, background, 12f, mask, changed);
            SameBytes(expected, changed, mask is null ? "no mask" : "masked");
            Assert.Equal(Cv2.CountNonZero(expected), count);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AddChromaMarksColourOnlyWhereTheChromaDifferenceIsOverTheThresholdAndKeepsGreyChange(int width, int height, int seed)
    {
        var rng = new Random(seed);
        using var chroma = Floats(width, height * 2, rng, 60); // B − Y above, R − Y below
        using var background = Floats(width, height * 2, rng, 60);
        using var zone = Bytes(width, height, rng, 0.7);
        using var grey = Bytes(width, height, rng, 0.3);
        foreach (var mask in new[] { null, zone })
        {
            // OpenCV: |Δu| + |Δv| > 25, inside the mask, where grey did not already change.
            using var du = new Mat();
            using var dv = new Mat();
            Cv2.Absdiff(chroma.RowRange(0, height), background.RowRange(0, height), du);
            Cv2.Absdiff(chroma.RowRange(height, 2 * height), background.RowRange(height, 2 * height), dv);
            using var sum = new Mat();
            Cv2.Add(du, dv, sum);
            Cv2.Threshold(sum, sum, 25, 255, ThresholdTypes.Binary);
            using var colour = new Mat();
            sum.ConvertTo(colour, MatType.CV_8U);
            if (mask is not null)
            {
                Cv2.BitwiseAnd(colour, mask, colour);
            }

            using var notGrey = new Mat();
            Cv2.BitwiseNot(grey, notGrey);
            Cv2.BitwiseAnd(colour, notGrey, colour);
            using var expected = new Mat();
            Cv2.AddWeighted(grey, 1, colour, ChangeMask.ColourOnly / 255.0, 0, expected);

            using var changed = grey.Clone();
            var added = ChangeMask.AddChroma(chroma, background, 25f, mask, changed);
            SameBytes(expected, changed, mask is null ? "no mask" : "masked");
            Assert.Equal(Cv2.CountNonZero(colour), added);
        }
    }

    [Fact]
    public void ChangeMaskWorksOnARegionOfALargerImage()
    {
        var rng = new Random(9);
        using var wholeFrame = Floats(300, 200, rng, 60);
        using var wholeBackground = Floats(300, 200, rng, 60);
        var region = new Rect(11, 7, 213, 120);
        using var frame = new Mat(wholeFrame, region);
        using var background = new Mat(wholeBackground, region);
        using var expected = new Mat();
        Cv2.Absdiff(frame, background, expected);
        Cv2.Threshold(expected, expected, 20, 255, ThresholdTypes.Binary);
        expected.ConvertTo(expected, MatType.CV_8U);
        using var changed = new Mat();
        Assert.Equal(Cv2.CountNonZero(expected), ChangeMask.Apply(frame, background, 20f, null, changed));
        SameBytes(expected, changed, "region");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CrossMorphologyOpensAndDilatesExactlyAsOpenCvDoes(int width, int height, int seed)
    {
        var rng = new Random(seed);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3));
        var morphology = new CrossMorphology();
        foreach (var share in new[] { 0.05, 0.4, 0.9 })
        {
            using var mask = Bytes(width, height, rng, share);
            using var expected = new Mat();
            using var opened = new Mat();
            Cv2.MorphologyEx(mask, expected, MorphTypes.Open, kernel);
            morphology.Open(mask, opened);
            SameBytes(expected, opened, $"opened at {share}");

            // Keeping upright structures: the union of that opening and one by the upright 1×3 line.
            using var line = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(1, 3));
            using var upright = new Mat();
            Cv2.MorphologyEx(mask, upright, MorphTypes.Open, line);
            Cv2.Max(expected, upright, upright);
            morphology.OpenKeepingUpright(mask, opened);
            SameBytes(upright, opened, $"opened keeping upright at {share}");

            for (var iterations = 0; iterations <= 3; iterations++)
            {
                using var theirs = new Mat();
                Cv2.Dilate(mask, theirs, kernel, iterations: iterations);
                using var ours = mask.Clone();
                morphology.Dilate(ours, iterations);
                SameBytes(theirs, ours, $"dilated {iterations} times at {share}");
            }
        }
    }

    [Fact]
    public void NearChangeAnswersWhatDilatingThePreviousMaskAroundTheBoxAnswered()
    {
        var rng = new Random(11);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3));
        using var grown = new Mat();
        int near = 0, far = 0;
        for (var trial = 0; trial < 400; trial++)
        {
            using var previous = Bytes(213, 120, rng, 0.002 * (1 + (trial % 5)));
            var box = new Rect(rng.Next(0, 200), rng.Next(0, 110), rng.Next(1, 30), rng.Next(1, 30));
            box = box.Intersect(new Rect(0, 0, 213, 120));

            // The previous implementation: the mask around the box, dilated three times, looked at inside the box.
            var x = Math.Max(0, box.X - 3);
            var y = Math.Max(0, box.Y - 3);
            var around = new Rect(x, y, Math.Min(213, box.Right + 3) - x, Math.Min(120, box.Bottom + 3) - y);
            using var before = new Mat(previous, around);
            Cv2.Dilate(before, grown, kernel, iterations: 3);
            using var inside = new Mat(grown, new Rect(box.X - around.X, box.Y - around.Y, box.Width, box.Height));
            var expected = Cv2.CountNonZero(inside) > 0;

            Assert.True(expected == NearChange.Within(previous, box, 3), $"trial {trial}, box {box}: expected {expected}");
            _ = expected ? near++ : far++;
        }

        Assert.True(near > 50 && far > 50, $"the trials should cover both answers: {near} near, {far} far");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ActivityMaskClearsBusyPixelsAndLearnsAsTheOpenCvSequenceDid(int width, int height, int seed)
    {
        var rng = new Random(seed);
        using var activityOurs = Floats(width, height, rng, 0.5f);
        using var activityTheirs = activityOurs.Clone();
        for (var frame = 0; frame < 5; frame++)
        {
            using var changed = Bytes(width, height, rng, 0.3);
            using var theirs = changed.Clone();
            using var active = new Mat();
            using var share = new Mat();
            Cv2.Threshold(activityTheirs, active, 0.25, 255, ThresholdTypes.BinaryInv);
            active.ConvertTo(active, MatType.CV_8U);
            theirs.ConvertTo(share, MatType.CV_32F, 1 / 255.0);
            Cv2.AccumulateWeighted(share, activityTheirs, 0.1, null!);
            Cv2.BitwiseAnd(theirs, active, theirs);

            using var ours = changed.Clone();
            ActivityMask.Apply(ours, activityOurs, 0.25f, 0.1f);
            SameBytes(theirs, ours, $"frame {frame}");
            using var gap = new Mat();
            Cv2.Absdiff(activityOurs, activityTheirs, gap);
            Cv2.MinMaxLoc(gap, out _, out double largest);
            Assert.True(largest < 1e-5, $"frame {frame}: activity off by {largest}");
        }
    }

    [Fact]
    public void RatioSlopeGivesTheDepthAndSteepestSlopeOfTheOpenCvRatio()
    {
        var rng = new Random(21);
        var slope = new RatioSlope();
        for (var trial = 0; trial < 60; trial++)
        {
            using var current = Floats(213, 120, rng, 200);
            using var background = Floats(213, 120, rng, 200);
            using var changed = Bytes(213, 120, rng, 0.5);
            var box = new Rect(rng.Next(0, 200), rng.Next(0, 110), rng.Next(1, 40), rng.Next(1, 40)).Intersect(new Rect(0, 0, 213, 120));

            using var cur = new Mat(current, box);
            using var bg = new Mat(background, box);
            using var mask = new Mat(changed, box);
            using var ratio = new Mat();
            using var shifted = new Mat();
            cur.ConvertTo(ratio, MatType.CV_32F, 1, 4);
            bg.ConvertTo(shifted, MatType.CV_32F, 1, 4);
            Cv2.Divide(ratio, shifted, ratio);
            Cv2.MinMaxLoc(ratio, out double low, out double high, out _, out _, mask);
            using var dx = new Mat();
            using var dy = new Mat();
            Cv2.Sobel(ratio, dx, MatType.CV_32F, 1, 0, 3, 0.125);
            Cv2.Sobel(ratio, dy, MatType.CV_32F, 0, 1, 3, 0.125);
            Cv2.Magnitude(dx, dy, dx);
            Cv2.MinMaxLoc(dx, out _, out double steepest, out _, out _, mask);
            var depth = Math.Max(Math.Abs(high - 1), Math.Abs(1 - low));

            var ours = slope.Measure(current, background, changed, box);
            Assert.True(Math.Abs(ours.Depth - depth) < 1e-5, $"trial {trial}, box {box}: depth {ours.Depth}, OpenCV {depth}");
            Assert.True(Math.Abs(ours.Steepest - steepest) <= 1e-4 * Math.Max(1, steepest), $"trial {trial}, box {box}: slope {ours.Steepest}, OpenCV {steepest}");
        }
    }

    [Fact]
    public void FrameFaultsTellAFlatPictureAFrozenOneAndARealOneApart()
    {
        var rng = new Random(5);
        var faults = new FrameFaults();
        using var scene = Bytes(213, 120, rng, 0.5, on: 180);
        using var flat = new Mat(120, 213, MatType.CV_8UC1, Scalar.All(128));
        using var noisy = scene.Clone();
        using var noise = new Mat(scene.Size(), MatType.CV_8UC1);
        Cv2.Randu(noise, Scalar.All(0), Scalar.All(3));
        Cv2.Add(noisy, noise, noisy);

        Assert.Equal("signal-loss", faults.Find(flat, scene));
        Assert.Equal("frozen", faults.Find(scene, scene));
        Assert.Null(faults.Find(noisy, scene));

        // A still, clean scene from a compressing camera changes by a fraction of a level on average, and a small walker
        // far away in it by less than that: neither is a frozen camera, only the same picture to the last pixel is.
        using var almost = scene.Clone();
        almost.Set(60, 100, (byte)(scene.At<byte>(60, 100) ^ 1));
        Assert.Null(faults.Find(almost, scene));
        using var walker = scene.Clone();
        Cv2.Rectangle(walker, new Rect(150, 40, 3, 8), Scalar.All(scene.At<byte>(40, 150) > 128 ? 90 : 170), -1);
        Assert.Null(faults.Find(walker, scene));
    }
}
