using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

/// <summary>A generated clip and when an intruder is really in it.</summary>
internal sealed record LabelledClip(string Name, string Path, double Seconds, IReadOnlyList<(double Start, double End)> Intruders)
{
    public bool DistractorOnly => Intruders.Count == 0;
}

/// <summary>
/// Writes labelled test clips with OpenCvSharp (MJPG in .avi, 640×360, 5 fps): intruders (people, a slow small walker,
/// vehicles, a walker at night) and distractors (a lighting step, an infrared switch, heavy night noise, rain, a
/// near-lens insect, frozen frames). Ground truth is known exactly because the clips are drawn.
/// </summary>
internal static class LabelledClips
{
    public const int Width = 640, Height = 360;
    public const double Fps = 5;

    private sealed class Actor
    {
        public required double Enter { get; init; }
        public required double X0 { get; init; }
        public required double Y { get; init; }
        public required double Vx { get; init; } // pixels per second
        public required Size Size { get; init; }
        public required Scalar Colour { get; init; }
        public double Leave { get; init; } = double.MaxValue;

        public Rect? At(double t)
        {
            if (t < Enter || t > Leave)
            {
                return null;
            }

            var x = X0 + (Vx * (t - Enter));
            var r = new Rect((int)x, (int)Y, Size.Width, Size.Height);
            return r.X + r.Width <= 0 || r.X >= Width ? null : r;
        }

        public (double Start, double End) Truth(double duration)
        {
            double? start = null, end = null;
            for (var t = 0.0; t <= duration; t += 1 / Fps)
            {
                if (At(t) is not null)
                {
                    start ??= t;
                    end = t;
                }
            }

            return (start!.Value, end!.Value);
        }
    }

    private static Mat Scene(int seed, double brightness = 1.0)
    {
        var rng = new Random(seed);
        var m = new Mat(Height, Width, MatType.CV_8UC3);
        for (var y = 0; y < Height; y++)
        {
            var sky = y < Height / 3;
            Cv2.Line(m, new Point(0, y), new Point(Width, y), sky ? new Scalar(200 - y / 2, 170 - y / 3, 120) : new Scalar(70 + y / 8, 110 + y / 10, 90), 1);
        }

        for (var i = 0; i < 40; i++)
        {
            var r = new Rect(rng.Next(Width), rng.Next(Height / 4, Height), rng.Next(10, 80), rng.Next(10, 60));
            Cv2.Rectangle(m, r, new Scalar(rng.Next(30, 220), rng.Next(30, 220), rng.Next(30, 220)), -1);
        }

        Cv2.GaussianBlur(m, m, new Size(3, 3), 0);
        if (Math.Abs(brightness - 1) > 1e-9)
        {
            m.ConvertTo(m, -1, brightness, 0);
        }

        return m;
    }

    private static void DrawActor(Mat frame, Rect r, Scalar colour)
    {
        Cv2.Rectangle(frame, r, colour, -1);
        // A little texture: head and legs.
        Cv2.Circle(frame, new Point(r.X + (r.Width / 2), r.Y + (r.Width / 3)), Math.Max(2, r.Width / 3), Scale(colour, 0.7), -1);
        Cv2.Line(frame, new Point(r.X + (r.Width / 3), r.Y + r.Height), new Point(r.X + (r.Width / 3), r.Y + (r.Height * 2 / 3)), Scale(colour, 0.5), Math.Max(1, r.Width / 6));
    }

    private static Scalar Scale(Scalar c, double k) => new(c.Val0 * k, c.Val1 * k, c.Val2 * k);

    private static LabelledClip Write(string dir, string name, double seconds, Func<int, double, Mat, Mat> frameAt, IReadOnlyList<(double, double)> truth)
    {
        var path = System.IO.Path.Combine(dir, name + ".avi");
        using var writer = new VideoWriter(path, FourCC.MJPG, Fps, new Size(Width, Height));
        if (!writer.IsOpened())
        {
            throw new InvalidOperationException("OpenCV cannot write MJPG .avi here (is libgtk-3-0 installed?)");
        }

        using var work = new Mat(Height, Width, MatType.CV_8UC3);
        var frames = (int)(seconds * Fps);
        for (var i = 0; i < frames; i++)
        {
            var f = frameAt(i, i / Fps, work);
            writer.Write(f);
        }

        return new LabelledClip(name, path, seconds, truth);
    }

    private static LabelledClip WithActors(string dir, string name, double seconds, int seed, Actor[] actors, Action<Mat, double, Random>? extra = null, double brightness = 1.0)
    {
        using var scene = Scene(seed, brightness);
        var rng = new Random(seed + 1);
        return Write(dir, name, seconds, (_, t, work) =>
        {
            scene.CopyTo(work);
            foreach (var a in actors)
            {
                if (a.At(t) is { } r)
                {
                    DrawActor(work, r, a.Colour);
                }
            }

            extra?.Invoke(work, t, rng);
            return work;
        }, [.. actors.Select(a => a.Truth(seconds))]);
    }

    private static void SensorNoise(Mat m, double sigma, Random rng)
    {
        using var noise = new Mat(m.Size(), MatType.CV_16SC3);
        Cv2.Randn(noise, Scalar.All(0), Scalar.All(sigma));
        using var wide = new Mat();
        m.ConvertTo(wide, MatType.CV_16SC3);
        Cv2.Add(wide, noise, wide);
        wide.ConvertTo(m, MatType.CV_8UC3);
        _ = rng;
    }

    public static IReadOnlyList<LabelledClip> All(string dir)
    {
        var person = new Scalar(40, 40, 160);
        var clips = new List<LabelledClip>
        {
            // People walk in and out, 4–5 s on screen each, with quiet time between.
            WithActors(dir, "walkers", 60, 1,
            [
                new Actor { Enter = 12, X0 = -30, Y = 200, Vx = 150, Size = new Size(30, 80), Colour = person },
                new Actor { Enter = 38, X0 = Width, Y = 190, Vx = -140, Size = new Size(32, 84), Colour = new Scalar(120, 60, 30) },
            ], (m, _, r) => SensorNoise(m, 2, r)),

            // A slow, small walker: 10×26 px at 12 px/s, taking 25 s to cross part of the frame.
            WithActors(dir, "slow-small-walker", 60, 2,
            [
                new Actor { Enter = 15, X0 = 200, Y = 150, Vx = 12, Size = new Size(10, 26), Colour = new Scalar(30, 30, 30), Leave = 40 },
            ], (m, _, r) => SensorNoise(m, 2, r)),

            // Vehicles: large and fast.
            WithActors(dir, "vehicle", 60, 3,
            [
                new Actor { Enter = 15, X0 = -150, Y = 240, Vx = 220, Size = new Size(150, 60), Colour = new Scalar(180, 180, 190) },
                new Actor { Enter = 40, X0 = Width, Y = 250, Vx = -260, Size = new Size(140, 55), Colour = new Scalar(20, 20, 140) },
            ], (m, _, r) => SensorNoise(m, 2, r)),

            // A walker at night: a dark, noisy scene.
            WithActors(dir, "night-walker", 60, 4,
            [
                new Actor { Enter = 20, X0 = -30, Y = 190, Vx = 90, Size = new Size(30, 80), Colour = new Scalar(90, 90, 90) },
            ], (m, _, r) => SensorNoise(m, 8, r), brightness: 0.25),
        };

        using (var scene = Scene(5))
        {
            var rng = new Random(5);
            clips.Add(Write(dir, "lighting-step", 60, (_, t, work) =>
            {
                var gain = t is >= 20 and < 40 ? 1.7 : 1.0;
                scene.ConvertTo(work, -1, gain, 0);
                SensorNoise(work, 2, rng);
                return work;
            }, []));
        }

        using (var scene = Scene(6))
        {
            var rng = new Random(6);
            using var grey = new Mat();
            Cv2.CvtColor(scene, grey, ColorConversionCodes.BGR2GRAY);
            using var ir = new Mat();
            Cv2.CvtColor(grey, ir, ColorConversionCodes.GRAY2BGR);
            ir.ConvertTo(ir, -1, 1.3, 40);
            clips.Add(Write(dir, "ir-switch", 60, (_, t, work) =>
            {
                (t < 25 ? scene : ir).CopyTo(work);
                SensorNoise(work, t < 25 ? 2 : 5, rng);
                return work;
            }, []));
        }

        using (var scene = Scene(7, 0.2))
        {
            var rng = new Random(7);
            clips.Add(Write(dir, "night-noise", 60, (_, _, work) =>
            {
                scene.CopyTo(work);
                SensorNoise(work, 12, rng);
                return work;
            }, []));
        }

        using (var scene = Scene(8, 0.8))
        {
            var rng = new Random(8);
            clips.Add(Write(dir, "rain", 60, (_, _, work) =>
            {
                scene.CopyTo(work);
                for (var i = 0; i < 80; i++)
                {
                    var p = new Point(rng.Next(Width), rng.Next(Height));
                    var len = rng.Next(15, 40);
                    Cv2.Line(work, p, new Point(p.X + (len / 4), p.Y + len), new Scalar(200, 200, 200), 1);
                }

                SensorNoise(work, 3, rng);
                return work;
            }, []));
        }

        using (var scene = Scene(9))
        {
            var rng = new Random(9);
            var insectUntil = -1.0;
            var centre = new Point();
            clips.Add(Write(dir, "insect", 60, (_, t, work) =>
            {
                scene.CopyTo(work);
                if (t >= insectUntil && rng.NextDouble() < 0.12)
                {
                    insectUntil = t + (rng.Next(1, 3) / Fps); // on screen for 1–2 frames
                }

                if (t < insectUntil)
                {
                    centre = new Point(rng.Next(Width), rng.Next(Height)); // erratic: somewhere else every frame
                    Cv2.Ellipse(work, centre, new Size(rng.Next(50, 90), rng.Next(35, 60)), rng.Next(180), 0, 360, new Scalar(25, 25, 25), -1);
                    Cv2.GaussianBlur(work, work, new Size(31, 31), 0);
                }

                SensorNoise(work, 2, rng);
                return work;
            }, []));
        }

        using (var scene = Scene(10))
        {
            var rng = new Random(10);
            using var frozen = new Mat();
            clips.Add(Write(dir, "frozen-frames", 60, (i, t, work) =>
            {
                if (t is >= 15 and < 40)
                {
                    if (frozen.Empty())
                    {
                        scene.CopyTo(frozen);
                        SensorNoise(frozen, 2, rng);
                    }

                    frozen.CopyTo(work); // the camera repeats one frame
                }
                else
                {
                    scene.CopyTo(work);
                    SensorNoise(work, 2, rng);
                }

                return work;
            }, []));
        }

        return clips;
    }
}
