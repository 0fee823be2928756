using EdgeWatch.Gateway.Motion;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

public class MotionDetectorTests
{
    private static Mat Scene(double gain, int seed = 1)
    {
        var m = new Mat(360, 640, MatType.CV_8UC3);
        var rng = new Random(seed);
        m.SetTo(new Scalar(90, 110, 100));
        for (var i = 0; i < 30; i++)
        {
            Cv2.Rectangle(m, new Rect(rng.Next(600), rng.Next(320), rng.Next(10, 60), rng.Next(10, 40)), new Scalar(rng.Next(40, 200), rng.Next(40, 200), rng.Next(40, 200)), -1);
        }

        m.ConvertTo(m, -1, gain, 0);
        return m;
    }

    [Fact]
    public void AFrameTornAtTheBottomIsAFaultAndAChangeThatStopsAboveTheBottomRowIsNot()
    {
        using var detector = new MotionDetector(MotionSettings.Default);
        using var scene = Scene(1.0);
        using var second = Scene(1.0, seed: 7);
        using var other = new Mat();
        Cv2.BitwiseNot(second, other); // another picture altogether: every pixel differs a lot
        Mat Noisy(Mat m, int i)
        {
            var frame = m.Clone();
            using var noise = new Mat(frame.Size(), MatType.CV_8UC3);
            Cv2.Randu(noise, Scalar.All(0), Scalar.All(4 + (i % 3))); // a real sensor never repeats a frame exactly
            Cv2.Add(frame, noise, frame);
            return frame;
        }

        for (var i = 0; i < 10; i++)
        {
            using var frame = Noisy(scene, i);
            Assert.Null(detector.Detect(frame, i / 5.0).Fault);
        }

        // The lower third replaced by another picture, down to the last row: torn.
        using (var torn = Noisy(scene, 10))
        {
            using var lower = new Mat(torn, new Rect(0, 240, 640, 120));
            using var from = new Mat(other, new Rect(0, 240, 640, 120));
            from.CopyTo(lower);
            Assert.Equal("torn", detector.Detect(torn, 10 / 5.0).Fault);
        }

        // A band as wide as the picture that ends above the bottom rows is not a tear.
        using (var band = Noisy(scene, 11))
        {
            using var lower = new Mat(band, new Rect(0, 200, 640, 120));
            using var from = new Mat(other, new Rect(0, 200, 640, 120));
            from.CopyTo(lower);
            Assert.NotEqual("torn", detector.Detect(band, 11 / 5.0).Fault);
        }
    }

    [Fact]
    public void QuietSceneHasNoMotion()
    {
        using var detector = new MotionDetector(MotionSettings.Default);
        using var frame = Scene(1.0);
        for (var i = 0; i < 20; i++)
        {
            Assert.False(detector.Detect(frame, i / 5.0).Moving);
        }
    }

    [Fact]
    public void MovingObjectIsFoundWithABoxAroundIt()
    {
        using var detector = new MotionDetector(MotionSettings.Default);
        using var scene = Scene(1.0);
        FrameMotion last = default;
        for (var i = 0; i < 15; i++)
        {
            using var frame = scene.Clone();
            if (i >= 3)
            {
                Cv2.Rectangle(frame, new Rect(100 + (i * 12), 200, 30, 80), new Scalar(30, 30, 150), -1); // enters after the detector settled
            }

            last = detector.Detect(frame, i / 5.0);
        }

        Assert.True(last.Moving);
        var box = Assert.Single(last.Boxes);
        Assert.InRange(box.X, 220, 290);
        Assert.InRange(box.Y, 180, 220);
    }

    [Fact]
    public void GlobalLightChangeRecalibratesInsteadOfRaisingMotion()
    {
        using var detector = new MotionDetector(MotionSettings.Default);
        using var dim = Scene(1.0);
        using var bright = Scene(1.8);
        detector.Detect(dim, 0);
        detector.Detect(dim, 0.2);
        var step = detector.Detect(bright, 0.4);
        Assert.True(step.Calibrating);
        Assert.False(step.Moving);
        Assert.False(detector.Detect(bright, 0.6).Moving);
    }

    [Fact]
    public void RecalibrationHasADeadlineSoAFlickeringSceneCannotBlindTheCamera()
    {
        var settings = MotionSettings.Default with { RecalibrationDeadlineSeconds = 4 };
        using var detector = new MotionDetector(settings);
        using var dim = Scene(0.6);
        using var bright = Scene(1.6);
        var movingAt = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var t = i / 5.0;
            using var frame = (i % 2 == 0 ? dim : bright).Clone();
            Cv2.Rectangle(frame, new Rect(50 + (i * 10), 150, 40, 90), new Scalar(20, 20, 20), -1); // someone walks while a torch flickers
            if (detector.Detect(frame, t).Moving)
            {
                movingAt.Add(t);
            }
        }

        Assert.NotEmpty(movingAt);
        Assert.True(movingAt.Min() >= 4, $"motion at {movingAt.Min()} s, before the deadline");
        // Found once the walker has been followed for the short-lived filter's time after the deadline, plus up to 2 s
        // while a torch flashing every frame still breaks the walker's blob up.
        var latest = settings.RecalibrationDeadlineSeconds + settings.MinTrackSeconds + 2;
        Assert.True(movingAt.Min() <= latest, $"motion only from {movingAt.Min()} s, after {latest} s");
    }
}
