using EdgeWatch.Gateway.Motion;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

/// <summary>
/// Each filter on a small drawn scene, through the whole detector at the live cameras' 5 fps: swaying foliage, a
/// drifting cloud shadow and a headlight sweep stay quiet; a walker is kept.
/// </summary>
public sealed class MotionFilterSceneTests : IDisposable
{
    private const double Fps = 5;
    private readonly Mat _ground = Ground(new Random(7));

    public void Dispose() => _ground.Dispose();

    /// <summary>A textured yard: paving and grass patches, so that light and objects have something to change.</summary>
    private static Mat Ground(Random rng)
    {
        var m = new Mat(360, 640, MatType.CV_8UC3, new Scalar(95, 120, 105));
        for (var i = 0; i < 400; i++)
        {
            var shade = rng.Next(60, 170);
            Cv2.Rectangle(m, new Rect(rng.Next(640), rng.Next(360), rng.Next(6, 30), rng.Next(4, 18)), new Scalar(shade, shade + rng.Next(-15, 25), shade - 10), -1);
        }

        Cv2.GaussianBlur(m, m, new Size(3, 3), 0);
        return m;
    }

    /// <summary>Runs <paramref name="draw"/> on the yard for <paramref name="seconds"/>; returns the times of moving frames after a 3 s settling.</summary>
    private List<double> Run(double seconds, Action<Mat, double> draw, double gain = 1, MotionSettings? settings = null)
    {
        using var detector = new MotionDetector(settings ?? MotionSettings.Default);
        using var noise = new Mat(360, 640, MatType.CV_8SC3);
        var rng = new RNG(3); // its own generator: the same sensor noise whatever else runs
        var moving = new List<double>();
        for (var i = 0; i < seconds * Fps; i++)
        {
            var t = i / Fps;
            using var frame = _ground.Clone();
            draw(frame, t);
            frame.ConvertTo(frame, -1, gain, 0);
            rng.Fill(noise, DistributionType.Normal, Scalar.All(0), Scalar.All(2)); // sensor noise: no two frames are alike
            Cv2.Add(frame, noise, frame, null, MatType.CV_8UC3.Value);
            if (detector.Detect(frame, t).Moving && t >= 3)
            {
                moving.Add(t);
            }

        }

        return moving;
    }

    [Fact]
    public void AWalkerIsKept()
    {
        var moving = Run(12, (frame, t) =>
        {
            if (t < 4)
            {
                return;
            }

            // A figure in a dark jacket and jeans, 28×84 px, walking at 45 px/s.
            var x = 80 + (int)(45 * (t - 4));
            Cv2.Ellipse(frame, new Point(x + 14, 210), new Size(8, 9), 0, 0, 360, new Scalar(120, 150, 200), -1);
            Cv2.Rectangle(frame, new Rect(x + 4, 219, 20, 34), new Scalar(40, 40, 160), -1);
            Cv2.Rectangle(frame, new Rect(x + 6, 253, 7, 40), new Scalar(110, 60, 30), -1);
            Cv2.Rectangle(frame, new Rect(x + 15, 253, 7, 40), new Scalar(110, 60, 30), -1);
        });

        Assert.NotEmpty(moving);
        Assert.InRange(moving.Min(), 4, 4 + MotionSettings.Default.MinTrackSeconds + 1);
    }

    [Fact]
    public void AThinWalkerFarAwayIsKeptByTheUprightOpeningThatTheCrossAloneWouldErase()
    {
        // A dark figure 5×21 px far up the picture, walking at 12 px/s: under two analysis pixels wide.
        void Draw(Mat frame, double t)
        {
            if (t >= 4)
            {
                Cv2.Rectangle(frame, new Rect(200 + (int)(12 * (t - 4)), 60, 5, 21), new Scalar(60, 60, 70), -1);
            }
        }

        var kept = Run(14, Draw);
        var erased = Run(14, Draw, settings: MotionSettings.Default with { KeepUpright = false });

        Assert.NotEmpty(kept);
        Assert.InRange(kept.Min(), 4, 8);
        Assert.Empty(erased);
    }

    [Fact]
    public void ACarOfTheRoadsGreyButAnotherColourIsSeenInColourThatGreyAloneMisses()
    {
        // A plain olive body (BT.601 luma 101) on a grey road (100), 150×56 px at 160 px/s: in grey, only noise.
        void Draw(Mat frame, double t)
        {
            Cv2.Rectangle(frame, new Rect(0, 230, 640, 90), new Scalar(100, 100, 100), -1);
            if (t >= 4)
            {
                Cv2.Rectangle(frame, new Rect(-150 + (int)(160 * (t - 4)), 250, 150, 56), new Scalar(36, 112, 104), -1);
            }
        }

        var colour = Run(12, Draw, settings: MotionSettings.Default with { ChromaThreshold = 40 });
        var grey = Run(12, Draw, settings: MotionSettings.Default with { ChromaThreshold = 0 });

        Assert.NotEmpty(colour);
        Assert.InRange(colour.Min(), 4, 6);
        Assert.Empty(grey);
    }

    [Fact]
    public void SwayingFoliageStaysQuiet()
    {
        var rng = new Random(11);
        var leaves = Enumerable.Range(0, 140).Select(_ => (X: rng.Next(360, 520), Y: rng.Next(60, 200), Phase: rng.NextDouble() * 6.3, Shade: rng.Next(60, 160))).ToList();
        var moving = Run(20, (frame, t) =>
        {
            Cv2.Line(frame, new Point(440, 320), new Point(440, 150), new Scalar(40, 60, 80), 8);
            foreach (var (x, y, phase, shade) in leaves)
            {
                // In a light wind the whole crown sways ±8 px at 0.6 Hz and each leaf flutters on its own (the evaluation
                // set has the gusts).
                var sway = (8 * (320 - y) / 260.0 * Math.Sin((2 * Math.PI * 0.6 * t) + (phase * 0.2))) + (2 * Math.Sin((t * 17) + phase));
                Cv2.Ellipse(frame, new Point(x + (int)sway, y), new Size(7, 4), phase * 57, 0, 360, new Scalar(30, shade, 40), -1);
            }
        });

        Assert.Empty(moving);
    }

    [Fact]
    public void ADriftingCloudShadowStaysQuiet()
    {
        using var shape = new Mat(360, 640, MatType.CV_32F);
        var moving = Run(20, (frame, t) =>
        {
            // A soft-edged shadow 300 px across, 50 % deep, drifting at 40 px/s.
            shape.SetTo(Scalar.All(0));
            Cv2.Ellipse(shape, new Point(-150 + (int)(40 * t), 180), new Size(150, 110), 0, 0, 360, Scalar.All(1), -1);
            Cv2.GaussianBlur(shape, shape, new Size(0, 0), 25);
            using var shade = new Mat();
            Cv2.Subtract(Scalar.All(1), shape * 0.5, shade);
            using var shade3 = new Mat();
            Cv2.Merge([shade, shade, shade], shade3);
            using var f = new Mat();
            frame.ConvertTo(f, MatType.CV_32FC3);
            Cv2.Multiply(f, shade3, f);
            f.ConvertTo(frame, MatType.CV_8UC3);
        });

        Assert.Empty(moving);
    }

    [Fact]
    public void AHeadlightSweepAtNightStaysQuiet()
    {
        using var cone = new Mat(360, 640, MatType.CV_8UC3);
        var moving = Run(16, (frame, t) =>
        {
            // Night (the frame is darkened below); a car's lights sweep a soft cone across the yard between 6 and 10 s.
            if (t is < 6 or > 10)
            {
                return;
            }

            var angle = -0.9 + (1.8 * (t - 6) / 4);
            var tip = new Point(320, 380);
            Point[] beam = [tip, new((int)(320 + (700 * Math.Sin(angle - 0.25))), (int)(380 - (700 * Math.Cos(angle - 0.25)))), new((int)(320 + (700 * Math.Sin(angle + 0.25))), (int)(380 - (700 * Math.Cos(angle + 0.25))))];
            cone.SetTo(Scalar.All(0));
            Cv2.FillPoly(cone, [beam], Scalar.All(70));
            Cv2.GaussianBlur(cone, cone, new Size(0, 0), 30);
            Cv2.Add(frame, cone, frame);
        }, gain: 0.35);

        Assert.Empty(moving);
    }
}
