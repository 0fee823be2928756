using System.Text.Json;
using OpenCvSharp;

namespace EdgeWatch.Testing.Motion;

/// <summary>
/// The motion evaluation set: eleven hard scenes, each in seeded variants, written as 640×360 10 fps MJPG clips with
/// exact labels, split into a tuning half and a validation half (different seeds, so different people, paths, timings,
/// gusts and sweeps), and the real footage (opencv-doc's <c>vtest.avi</c> and <c>tree.avi</c>, labelled by hand in
/// <c>real-footage.json</c>) in the validation half. Tune on "tuning"; score "validation" once per change.
/// </summary>
public static class EvaluationSet
{
    public const int Width = 640, Height = 360;
    public const double Fps = 10;
    public const double Seconds = 45;
    public const string Tuning = "tuning", Validation = "validation";
    private static readonly Size Frame = new(Width, Height);

    private static readonly string[] Scenes =
        ["people", "distant-walker", "stop-and-go", "vehicles", "foliage", "cloud-shadows", "headlights", "lens-insects", "rain", "ir-switch", "signal-faults"];

    /// <summary>Writes the clips of <paramref name="half"/> into <paramref name="dir"/>.</summary>
    public static List<MotionClip> Write(string dir, string half, int variants = 2)
    {
        Directory.CreateDirectory(dir);
        using var vtest = VtestPeople.Load(Repo.Sample("vtest.avi"));
        var clips = new List<MotionClip>();
        for (var s = 0; s < Scenes.Length; s++)
        {
            for (var v = 0; v < variants; v++)
            {
                var seed = (half == Tuning ? 1000 : 2000) + (s * 10) + v;
                clips.Add(WriteScene(dir, half, Scenes[s], v, seed, vtest));
            }
        }

        if (half == Validation)
        {
            clips.AddRange(RealFootage(dir, vtest));
        }

        return clips;
    }

    private static MotionClip WriteScene(string dir, string half, string scene, int variant, int seed, VtestPeople vtest)
    {
        // OpenCV's random generator (Randn: texture, sensor noise) is one per thread, and whatever ran on the thread
        // before moved it on: seeded per clip, a clip is the same in a test run (other tests share its threads) as in
        // the benchmark.
        Cv2.SetTheRNG((ulong)seed);
        var rng = new Random(seed);
        var layers = new List<ISceneLayer>();
        var actors = new List<Actor>();
        var distractors = new List<Distractor>();
        using var street = Street(rng);
        Actor Person(double enter, int height, double speed, double y, (double, double)? stop = null, double leave = double.MaxValue)
        {
            var who = vtest.People[rng.Next(vtest.People.Count)];
            var right = rng.NextDouble() < 0.5;
            var a = new Actor("person", who.Image, who.Mask, height)
            {
                Enter = enter,
                Leave = leave,
                From = new Point2d(right ? -height / 3.0 : Width + (height / 3.0), y),
                Velocity = new Point2d(right ? speed : -speed, (rng.NextDouble() - 0.5) * speed * 0.2),
                Stop = stop,
            };
            actors.Add(a);
            return a;
        }

        var noise = 2.0;
        switch (scene)
        {
            case "people":
                layers.Add(new Backdrop(vtest.Plate));
                Person(12 + (rng.NextDouble() * 4), rng.Next(60, 120), 40 + (rng.NextDouble() * 50), rng.Next(220, 350));
                Person(28 + (rng.NextDouble() * 4), rng.Next(50, 110), 40 + (rng.NextDouble() * 50), rng.Next(200, 350));
                break;
            case "distant-walker":
                layers.Add(new Backdrop(vtest.Plate));
                if (variant == 1)
                {
                    layers.Add(new SwayingTree(new Point(rng.Next(420, 600), 300), 200, 18, new Gusts(rng, Seconds), rng));
                    distractors.Add(new Distractor("foliage", 0, Seconds));
                }

                // A small, slow walker far away, who then goes out of sight behind the buildings.
                var who = vtest.People[rng.Next(vtest.People.Count)];
                var h = rng.Next(20, 31);
                var start = rng.Next(60, 260);
                actors.Add(new Actor("person", who.Image, who.Mask, h)
                {
                    Enter = 12 + (rng.NextDouble() * 3),
                    Leave = 36 + (rng.NextDouble() * 4),
                    From = new Point2d(start, rng.Next(95, 150)),
                    Velocity = new Point2d((rng.NextDouble() < 0.5 ? 1 : -1) * (8 + (rng.NextDouble() * 8)), 0),
                });
                break;
            case "stop-and-go":
                layers.Add(new Backdrop(vtest.Plate));
                var enter = 13 + (rng.NextDouble() * 3);
                Person(enter, rng.Next(55, 100), 35 + (rng.NextDouble() * 30), rng.Next(220, 340), (enter + 5 + (rng.NextDouble() * 2), 8 + (rng.NextDouble() * 4)));
                break;
            case "vehicles":
                layers.Add(new Backdrop(street));
                for (var i = 0; i < 2; i++)
                {
                    using var car = Car(rng, out var mask);
                    var right = rng.NextDouble() < 0.5;
                    var speed = 120 + (rng.NextDouble() * 180);
                    actors.Add(new Actor("vehicle", car, mask, car.Height)
                    {
                        Enter = (i == 0 ? 13 : 30) + (rng.NextDouble() * 3),
                        From = new Point2d(right ? -car.Width / 2.0 : Width + (car.Width / 2.0), rng.Next(260, 330)),
                        Velocity = new Point2d(right ? speed : -speed, 0),
                        Walks = false,
                    });
                    mask.Dispose();
                }

                break;
            case "foliage":
                layers.Add(new Backdrop(street));
                var gusts = new Gusts(rng, Seconds);
                layers.Add(new SwayingTree(new Point(rng.Next(80, 220), 330), rng.Next(200, 280), 16 + (rng.NextDouble() * 10), gusts, rng));
                layers.Add(new SwayingTree(new Point(rng.Next(420, 580), 320), rng.Next(180, 260), 16 + (rng.NextDouble() * 10), gusts, rng));
                distractors.Add(new Distractor("foliage", 0, Seconds));
                if (variant == 1)
                {
                    Person(24 + (rng.NextDouble() * 4), rng.Next(60, 100), 40 + (rng.NextDouble() * 40), rng.Next(300, 355));
                }

                break;
            case "cloud-shadows":
                layers.Add(new Backdrop(vtest.Plate));
                if (variant == 1)
                {
                    Person(24 + (rng.NextDouble() * 4), rng.Next(55, 100), 40 + (rng.NextDouble() * 40), rng.Next(220, 340));
                }

                for (var i = 0; i < 3; i++)
                {
                    var size = new Size(rng.Next(300, 520), rng.Next(200, 320));
                    var speed = 6 + (rng.NextDouble() * 16);
                    layers.Add(new CloudShadow(size, 0.3 + (rng.NextDouble() * 0.25), new Point2d(-size.Width + (i * 250) - (rng.NextDouble() * 100), rng.Next(-100, 200)), new Point2d(speed, speed * 0.2), rng));
                }

                distractors.Add(new Distractor("cloud-shadow", 0, Seconds));
                break;
            case "headlights":
                layers.Add(new Backdrop(vtest.Plate));
                if (variant == 1)
                {
                    Person(30 + (rng.NextDouble() * 3), rng.Next(60, 100), 40 + (rng.NextDouble() * 40), rng.Next(220, 340));
                }

                var sweeps = new List<(double, double, double, double)>();
                foreach (var at in new[] { 12.0, 21, 38 })
                {
                    sweeps.Add((at + (rng.NextDouble() * 4), 2 + (rng.NextDouble() * 2), -35 + (rng.NextDouble() * 10), 25 + (rng.NextDouble() * 15)));
                }

                var lights = new HeadlightSweeps(Frame, new Point2f(-60, rng.Next(250, 360)), sweeps);
                layers.Add(lights);
                distractors.AddRange(lights.Distractors);
                layers.Add(new Night(0.3));
                noise = 6;
                break;
            case "lens-insects":
                layers.Add(new Backdrop(vtest.Plate));
                if (variant == 1)
                {
                    Person(28 + (rng.NextDouble() * 3), rng.Next(60, 100), 40 + (rng.NextDouble() * 40), rng.Next(220, 340));
                }

                layers.Add(new Night(1, irFrom: 0));
                var insects = new LensInsects(Frame, Seconds, Fps, rng);
                layers.Add(insects);
                distractors.AddRange(insects.Distractors);
                var spider = new LensSpider(new Point(rng.Next(100, 540), 0), 14 + (rng.NextDouble() * 6), 36 + (rng.NextDouble() * 4), rng.Next(70, 140));
                layers.Add(spider);
                distractors.Add(spider.Distractor);
                noise = 5;
                break;
            case "rain":
                layers.Add(new Backdrop(vtest.Plate));
                if (variant == 1)
                {
                    Person(22 + (rng.NextDouble() * 5), rng.Next(55, 100), 40 + (rng.NextDouble() * 40), rng.Next(220, 340));
                }

                layers.Add(new Night(0.8));
                layers.Add(new Rain(rng, 90));
                distractors.Add(new Distractor("rain", 0, Seconds));
                noise = 3;
                break;
            case "ir-switch":
                layers.Add(new Backdrop(vtest.Plate));
                var at2 = 20 + (rng.NextDouble() * 8);
                layers.Add(variant == 0 ? new Night(1, irFrom: at2) : new Night(1, irFrom: 0, irUntil: at2));
                distractors.Add(new Distractor("ir-switch", at2 - 1, at2 + 3));
                break;
            case "signal-faults":
                layers.Add(new Backdrop(vtest.Plate));
                if (variant == 1)
                {
                    Person(36 + (rng.NextDouble() * 3), rng.Next(60, 100), 50 + (rng.NextDouble() * 40), rng.Next(220, 340));
                }

                // Noise first, so a frozen frame is exactly the same frame again.
                layers.Add(new SensorNoise(noise));
                noise = 0;
                var faults = new List<(string, double, double)> { ("frozen", 12 + (rng.NextDouble() * 3), 6 + (rng.NextDouble() * 4)), ("signal-loss", 26 + (rng.NextDouble() * 2), 1 + (rng.NextDouble() * 2)) };
                for (var i = 0; i < 4; i++)
                {
                    faults.Add(("torn", 30.5 + (i * 1.1) + (rng.NextDouble() * 0.5), 0.1 + (rng.Next(2) * 0.1)));
                }

                var signal = new SignalFaults(faults, rng);
                layers.Add(signal);
                distractors.AddRange(signal.Distractors);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scene), scene, "no such scene");
        }

        // Actors go in after the scene (and foliage), before light, night and the lens.
        var firstLight = layers.FindIndex(l => l is CloudShadow or HeadlightSweeps or Night or LensInsects or Rain or SensorNoise or SignalFaults);
        layers.InsertRange(firstLight < 0 ? layers.Count : firstLight, actors);
        if (noise > 0)
        {
            layers.Add(new SensorNoise(noise));
        }

        var name = $"{scene}-{variant + 1}";
        var path = System.IO.Path.Combine(dir, $"{half}-{name}.avi");
        WriteClip(path, Fps, (int)(Seconds * Fps), (frame, i) =>
        {
            foreach (var l in layers)
            {
                l.Draw(frame, i / Fps);
            }
        });
        var truth = actors.Select(a => a.Truth(Seconds, Fps, Frame)).OfType<Intruder>().ToList();
        foreach (var l in layers.OfType<IDisposable>())
        {
            l.Dispose();
        }

        return new MotionClip(name, path, half, Seconds, truth, distractors);
    }

    private static void WriteClip(string path, double fps, int frames, Action<Mat, int> draw)
    {
        using var writer = new VideoWriter(path, FourCC.MJPG, fps, Frame);
        if (!writer.IsOpened())
        {
            throw new InvalidOperationException("OpenCV cannot write MJPG .avi here (is libgtk-3-0 installed?)");
        }

        using var frame = new Mat(Frame, MatType.CV_8UC3);
        for (var i = 0; i < frames; i++)
        {
            draw(frame, i);
            writer.Write(frame);
        }
    }

    /// <summary>A street: sky, houses with windows, a road with markings, textured.</summary>
    private static Mat Street(Random rng)
    {
        var m = new Mat(Frame, MatType.CV_8UC3);
        for (var y = 0; y < Height; y++)
        {
            Cv2.Line(m, new Point(0, y), new Point(Width, y), y < 150 ? new Scalar(220 - (y / 3), 190 - (y / 4), 150) : new Scalar(90 + (y / 10), 95 + (y / 10), 95 + (y / 10)), 1);
        }

        for (var x = 0; x < Width; x += rng.Next(70, 130))
        {
            var h = rng.Next(60, 120);
            var colour = new Scalar(rng.Next(120, 220), rng.Next(120, 220), rng.Next(140, 230));
            Cv2.Rectangle(m, new Rect(x, 150 - h + 90, rng.Next(60, 120), h), colour, -1);
            for (var w = 0; w < 4; w++)
            {
                Cv2.Rectangle(m, new Rect(x + 8 + (w * 14), 150 - h + 100, 9, 12), new Scalar(60, 50, 40), -1);
            }
        }

        for (var x = 0; x < Width; x += 60)
        {
            Cv2.Line(m, new Point(x, 300), new Point(x + 30, 300), new Scalar(230, 230, 230), 3);
        }

        using var texture = new Mat(Frame, MatType.CV_8UC3);
        Cv2.Randn(texture, Scalar.All(0), Scalar.All(12));
        using var wide = new Mat();
        m.ConvertTo(wide, MatType.CV_16SC3);
        using var t16 = new Mat();
        texture.ConvertTo(t16, MatType.CV_16SC3);
        Cv2.Add(wide, t16, wide);
        wide.ConvertTo(m, MatType.CV_8UC3);
        Cv2.GaussianBlur(m, m, new Size(3, 3), 0);
        return m;
    }

    /// <summary>A car from the side: body, windows, wheels, with texture.</summary>
    private static Mat Car(Random rng, out Mat mask)
    {
        var w = rng.Next(120, 180);
        var h = (int)(w * 0.38);
        var car = new Mat(h, w, MatType.CV_8UC3, Scalar.All(0));
        mask = new Mat(h, w, MatType.CV_8U, Scalar.All(0));
        var body = new Scalar(rng.Next(20, 220), rng.Next(20, 220), rng.Next(20, 220));
        Point[] outline = [new(0, h * 8 / 10), new(0, h * 4 / 10), new(w / 5, h * 4 / 10), new(w * 3 / 10, 0), new(w * 7 / 10, 0), new(w * 17 / 20, h * 4 / 10), new(w - 1, h * 45 / 100), new(w - 1, h * 8 / 10)];
        Cv2.FillPoly(car, [outline], body);
        Cv2.FillPoly(mask, [outline], Scalar.All(255));
        Cv2.Rectangle(car, new Rect(w * 32 / 100, h / 10, w * 17 / 100, h * 28 / 100), new Scalar(70, 60, 50), -1);
        Cv2.Rectangle(car, new Rect(w * 52 / 100, h / 10, w * 16 / 100, h * 28 / 100), new Scalar(70, 60, 50), -1);
        foreach (var x in new[] { w / 5, w * 4 / 5 })
        {
            Cv2.Circle(car, new Point(x, h * 8 / 10), h / 5, new Scalar(20, 20, 20), -1);
            Cv2.Circle(car, new Point(x, h * 8 / 10), h / 10, new Scalar(150, 150, 150), -1);
            Cv2.Circle(mask, new Point(x, h * 8 / 10), h / 5, Scalar.All(255), -1);
        }

        return car;
    }

    private static readonly JsonSerializerOptions LabelJson = new(JsonSerializerDefaults.Web);

    private sealed record RealLabel(string Clip, string Name, double Lead, double Seconds, string? Loop, List<Intruder> Intruders, List<Distractor> Distractors);

    /// <summary>
    /// opencv-doc's real clips with the labels in real-footage.json: each starts with <c>lead</c> seconds of the
    /// empty square (so the warm-up sees a scene, not the footage's first seconds), and a short clip is looped forwards
    /// and backwards to <c>seconds</c>.
    /// </summary>
    private static IEnumerable<MotionClip> RealFootage(string dir, VtestPeople vtest)
    {
        var labels = JsonSerializer.Deserialize<List<RealLabel>>(File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "Motion", "real-footage.json")), LabelJson)!;
        foreach (var label in labels)
        {
            var frames = new List<Mat>();
            using (var capture = new VideoCapture(Repo.Sample(label.Clip)))
            {
                var f = new Mat();
                while (capture.Read(f) && !f.Empty())
                {
                    var scaled = new Mat();
                    if (label.Clip == "vtest.avi")
                    {
                        using var band = new Mat(f, new Rect(0, f.Height - (f.Width * 9 / 16), f.Width, f.Width * 9 / 16));
                        Cv2.Resize(band, scaled, Frame, 0, 0, InterpolationFlags.Area);
                    }
                    else
                    {
                        Cv2.Resize(f, scaled, Frame, 0, 0, InterpolationFlags.Linear);
                    }

                    frames.Add(scaled);
                }

                f.Dispose();
            }

            var fps = label.Clip == "vtest.avi" ? 10 : 15;
            var total = (int)(label.Seconds * fps);
            var lead = (int)(label.Lead * fps);
            var path = System.IO.Path.Combine(dir, $"validation-{label.Name}.avi");
            using var noise = new SensorNoise(2);
            WriteClip(path, fps, total, (frame, i) =>
            {
                if (i < lead)
                {
                    vtest.Plate.CopyTo(frame);
                    noise.Draw(frame, 0);
                    return;
                }

                var k = i - lead;
                var period = (2 * frames.Count) - 2;
                var j = label.Loop == "ping-pong" ? (k % period < frames.Count ? k % period : period - (k % period)) : Math.Min(k, frames.Count - 1);
                frames[j].CopyTo(frame);
            });
            foreach (var f in frames)
            {
                f.Dispose();
            }

            yield return new MotionClip(label.Name, path, Validation, label.Seconds, label.Intruders, label.Distractors);
        }
    }
}
