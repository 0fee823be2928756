using OpenCvSharp;

namespace EdgeWatch.Testing.Motion;

/// <summary>One thing drawn into every frame of a generated clip, in order (scene, foliage, actors, light, night, lens, faults).</summary>
public interface ISceneLayer
{
    void Draw(Mat frame, double t);
}

/// <summary>A static backdrop.</summary>
public sealed class Backdrop(Mat image) : ISceneLayer
{
    public void Draw(Mat frame, double t) => image.CopyTo(frame);
}

/// <summary>Something that moves through the scene and is an intruder: a person or a vehicle, on a straight path with optional stops.</summary>
public sealed class Actor : ISceneLayer, IDisposable
{
    private readonly Mat _image;
    private readonly Mat _mask;
    private readonly Mat _flipped = new();
    private readonly Mat _flippedMask = new();

    /// <param name="image">The actor's pixels.</param>
    /// <param name="mask">Its silhouette.</param>
    /// <param name="height">Height on screen, in pixels.</param>
    public Actor(string kind, Mat image, Mat mask, int height)
    {
        Kind = kind;
        var width = Math.Max(2, (int)Math.Round(image.Width * (double)height / image.Height));
        _image = new Mat();
        _mask = new Mat();
        Cv2.Resize(image, _image, new Size(width, height), 0, 0, InterpolationFlags.Area);
        Cv2.Resize(mask, _mask, new Size(width, height), 0, 0, InterpolationFlags.Nearest);
        Cv2.Flip(_image, _flipped, FlipMode.Y);
        Cv2.Flip(_mask, _flippedMask, FlipMode.Y);
    }

    public string Kind { get; }
    public required double Enter { get; init; }
    public double Leave { get; init; } = double.MaxValue;
    /// <summary>Where the actor's bottom-centre is at <see cref="Enter"/>.</summary>
    public required Point2d From { get; init; }
    /// <summary>Pixels per second.</summary>
    public required Point2d Velocity { get; init; }
    /// <summary>Stand still from <c>At</c> for <c>For</c> seconds (of walking time).</summary>
    public (double At, double For)? Stop { get; init; }
    /// <summary>A person's gait: a small bob while walking.</summary>
    public bool Walks { get; init; } = true;

    private double Walked(double t)
    {
        var walked = t - Enter;
        if (Stop is { } s && t >= s.At)
        {
            walked -= Math.Min(t - s.At, s.For);
        }

        return walked;
    }

    public Rect? At(double t)
    {
        if (t < Enter || t > Leave)
        {
            return null;
        }

        var w = Walked(t);
        var moving = Stop is not { } s || t < s.At || t >= s.At + s.For;
        var bob = Walks && moving ? Math.Abs(Math.Sin(w * Math.PI * 2)) * Math.Max(1, _image.Height / 40.0) : 0;
        var x = From.X + (Velocity.X * w) - (_image.Width / 2.0);
        var y = From.Y + (Velocity.Y * w) - _image.Height - bob;
        return new Rect((int)Math.Round(x), (int)Math.Round(y), _image.Width, _image.Height);
    }

    /// <summary>The share of the actor inside the frame.</summary>
    public double Visible(double t, Size frame)
    {
        if (At(t) is not { } r)
        {
            return 0;
        }

        var i = r & new Rect(0, 0, frame.Width, frame.Height);
        return i.Width <= 0 || i.Height <= 0 ? 0 : (double)i.Width * i.Height / (r.Width * r.Height);
    }

    /// <summary>From a quarter of the actor in view to less than a quarter, sampled at the clip's frames.</summary>
    public Intruder? Truth(double seconds, double fps, Size frame)
    {
        double? start = null, end = null;
        for (var i = 0; i < seconds * fps; i++)
        {
            var t = i / fps;
            if (Visible(t, frame) >= 0.25)
            {
                start ??= t;
                end = t;
            }
        }

        return start is null ? null : new Intruder(Kind, start.Value, end!.Value);
    }

    public void Dispose()
    {
        _image.Dispose();
        _mask.Dispose();
        _flipped.Dispose();
        _flippedMask.Dispose();
    }

    public void Draw(Mat frame, double t)
    {
        if (At(t) is not { } r)
        {
            return;
        }

        var clip = r & new Rect(0, 0, frame.Width, frame.Height);
        if (clip.Width <= 0 || clip.Height <= 0)
        {
            return;
        }

        var left = Velocity.X < 0;
        var src = new Rect(clip.X - r.X, clip.Y - r.Y, clip.Width, clip.Height);
        using var dst = new Mat(frame, clip);
        using var img = new Mat(left ? _flipped : _image, src);
        using var mask = new Mat(left ? _flippedMask : _mask, src);
        img.CopyTo(dst, mask);
    }
}

/// <summary>A tree whose branches sway, gently most of the time and hard in gusts.</summary>
public sealed class SwayingTree : ISceneLayer
{
    private readonly List<(Point2d At, double Height, Size Axes, Scalar Colour, int Branch, double Phase)> _leaves = [];
    private readonly double[] _branchPhase;
    private readonly double[] _branchFrequency;
    private readonly Gusts _gusts;
    private readonly Point _root;
    private readonly int _height;
    private readonly double _amplitude;

    public SwayingTree(Point root, int height, double amplitude, Gusts gusts, Random rng)
    {
        _root = root;
        _height = height;
        _amplitude = amplitude;
        _gusts = gusts;
        var branches = rng.Next(8, 14);
        _branchPhase = [.. Enumerable.Range(0, branches).Select(_ => rng.NextDouble() * Math.PI * 2)];
        _branchFrequency = [.. Enumerable.Range(0, branches).Select(_ => 0.4 + (rng.NextDouble() * 0.6))];
        for (var b = 0; b < branches; b++)
        {
            var h = height * (0.35 + (0.65 * rng.NextDouble()));
            var dir = rng.NextDouble() < 0.5 ? -1 : 1;
            var len = height * (0.15 + (0.25 * rng.NextDouble()));
            for (var l = 0; l < 40; l++)
            {
                var along = rng.NextDouble();
                var p = new Point2d(root.X + (dir * len * along) + ((rng.NextDouble() - 0.5) * 30), root.Y - h - (along * len * 0.3) + ((rng.NextDouble() - 0.5) * 30));
                var g = rng.Next(70, 170);
                _leaves.Add((p, (root.Y - p.Y) / height, new Size(rng.Next(4, 10), rng.Next(3, 7)), new Scalar(rng.Next(20, 70), g, rng.Next(20, 80)), b, rng.NextDouble() * Math.PI * 2));
            }
        }
    }

    public void Draw(Mat frame, double t)
    {
        var g = _gusts.Strength(t);
        var top = new Point(_root.X + (int)(_amplitude * g * 0.3 * Math.Sin(t * 2.5)), _root.Y - _height);
        Cv2.Line(frame, _root, top, new Scalar(40, 60, 80), Math.Max(3, _height / 25));
        foreach (var (at, h, axes, colour, branch, phase) in _leaves)
        {
            var sway = _amplitude * g * h * Math.Sin((Math.PI * 2 * _branchFrequency[branch] * t) + _branchPhase[branch]);
            var flutter = 2 * g * Math.Sin((t * 17) + phase);
            var p = new Point((int)Math.Round(at.X + sway + flutter), (int)Math.Round(at.Y + (flutter * 0.5)));
            Cv2.Ellipse(frame, p, axes, phase * 57, 0, 360, colour, -1);
        }
    }
}

/// <summary>Wind: a light breeze with gusts at random times.</summary>
public sealed class Gusts(Random rng, double seconds)
{
    private readonly List<(double Start, double Length, double Peak)> _gusts = Make(rng, seconds);

    private static List<(double, double, double)> Make(Random rng, double seconds)
    {
        var list = new List<(double, double, double)>();
        for (var t = 2 + (rng.NextDouble() * 4); t < seconds; t += 6 + (rng.NextDouble() * 9))
        {
            list.Add((t, 3 + (rng.NextDouble() * 3), 0.6 + (rng.NextDouble() * 0.4)));
        }

        return list;
    }

    /// <summary>0.15 in a breeze, up to 1 at the height of a gust.</summary>
    public double Strength(double t)
    {
        var s = 0.15;
        foreach (var (start, length, peak) in _gusts)
        {
            if (t >= start && t < start + length)
            {
                s = Math.Max(s, peak * Math.Sin(Math.PI * (t - start) / length));
            }
        }

        return s;
    }
}

/// <summary>A soft-edged cloud shadow drifting over the scene: it darkens everything under it.</summary>
public sealed class CloudShadow : ISceneLayer, IDisposable
{
    private readonly Mat _shade; // 1 − depth·shape, 3 channels, float
    private readonly Point2d _from;
    private readonly Point2d _velocity;

    public CloudShadow(Size size, double depth, Point2d from, Point2d velocity, Random rng)
    {
        _from = from;
        _velocity = velocity;
        using var shape = new Mat(size, MatType.CV_32F, Scalar.All(0));
        for (var i = 0; i < 4; i++)
        {
            var c = new Point((size.Width / 2) + rng.Next(-size.Width / 6, size.Width / 6), (size.Height / 2) + rng.Next(-size.Height / 8, size.Height / 8));
            Cv2.Ellipse(shape, c, new Size(size.Width / 4, size.Height / 4), rng.Next(180), 0, 360, Scalar.All(1), -1);
        }

        Cv2.GaussianBlur(shape, shape, new Size(0, 0), size.Height / 8.0);
        Taper(shape);
        using var one = new Mat(size, MatType.CV_32F, Scalar.All(1));
        using var shade1 = new Mat();
        Cv2.AddWeighted(one, 1, shape, -depth, 0, shade1);
        _shade = new Mat();
        Cv2.Merge([shade1, shade1, shade1], _shade);
    }

    public void Dispose()
    {
        _shade.Dispose();
    }

    /// <summary>
    /// Fades the shape to nothing over its outer eighth on every side. The ellipses reach the layer's own border, and
    /// without this its rectangle showed in the picture as a straight, hard edge of shade: no cloud casts that.
    /// </summary>
    private static void Taper(Mat shape)
    {
        int width = shape.Width, height = shape.Height;
        double marginX = Math.Max(1, width / 8), marginY = Math.Max(1, height / 8);
        static double Smooth(double t) => t >= 1 ? 1 : t * t * (3 - (2 * t));
        for (var y = 0; y < height; y++)
        {
            var wy = Smooth(Math.Min(y, height - 1 - y) / marginY);
            for (var x = 0; x < width; x++)
            {
                shape.At<float>(y, x) = (float)(shape.At<float>(y, x) * wy * Smooth(Math.Min(x, width - 1 - x) / marginX));
            }
        }
    }

    public void Draw(Mat frame, double t)
    {
        var x = (int)Math.Round(_from.X + (_velocity.X * t));
        var y = (int)Math.Round(_from.Y + (_velocity.Y * t));
        var r = new Rect(x, y, _shade.Width, _shade.Height) & new Rect(0, 0, frame.Width, frame.Height);
        if (r.Width <= 0 || r.Height <= 0)
        {
            return;
        }

        using var dst = new Mat(frame, r);
        using var shade = new Mat(_shade, new Rect(r.X - x, r.Y - y, r.Width, r.Height));
        using var f = new Mat();
        dst.ConvertTo(f, MatType.CV_32FC3);
        Cv2.Multiply(f, shade, f);
        f.ConvertTo(dst, MatType.CV_8UC3);
    }
}

/// <summary>Headlight cones sweeping across the ground at night, from a car turning outside the picture.</summary>
public sealed class HeadlightSweeps : ISceneLayer, IDisposable
{
    private readonly Mat _cone; // float 3 channels, 0–1
    private readonly Point2f _pivot;
    private readonly List<(double Start, double Length, double From, double To)> _sweeps;

    public HeadlightSweeps(Size frame, Point2f pivot, List<(double Start, double Length, double From, double To)> sweeps)
    {
        _pivot = pivot;
        _sweeps = sweeps;
        using var cone = new Mat(frame, MatType.CV_32F, Scalar.All(0));
        // A wide wedge pointing right from the pivot; rotated per frame.
        var len = frame.Width * 1.4f;
        Point[] wedge = [new((int)pivot.X, (int)pivot.Y), new((int)(pivot.X + len), (int)(pivot.Y - (len * 0.22))), new((int)(pivot.X + len), (int)(pivot.Y + (len * 0.22)))];
        Cv2.FillPoly(cone, [wedge], Scalar.All(1));
        Cv2.GaussianBlur(cone, cone, new Size(0, 0), 18);
        _cone = new Mat();
        Cv2.Merge([cone, cone, cone], _cone);
    }

    public IEnumerable<Distractor> Distractors => _sweeps.Select(s => new Distractor("headlights", s.Start, s.Start + s.Length));

    public void Dispose()
    {
        _cone.Dispose();
    }

    public void Draw(Mat frame, double t)
    {
        foreach (var (start, length, from, to) in _sweeps)
        {
            if (t < start || t >= start + length)
            {
                continue;
            }

            var k = (t - start) / length;
            var angle = from + ((to - from) * k);
            var fade = Math.Min(1, Math.Min(k, 1 - k) * 6);
            using var rot = Cv2.GetRotationMatrix2D(_pivot, angle, 1);
            using var cone = new Mat();
            Cv2.WarpAffine(_cone, cone, rot, frame.Size());
            using var f = new Mat();
            frame.ConvertTo(f, MatType.CV_32FC3);
            using var gain = new Mat();
            cone.ConvertTo(gain, -1, 2.5 * fade, 1);
            Cv2.Multiply(f, gain, f);
            Cv2.ScaleAdd(cone, 50 * fade, f, f);
            f.ConvertTo(frame, MatType.CV_8UC3);
        }
    }
}

/// <summary>Night: a dark colour picture, or the camera's infrared mode (grey, flatter, brighter) from <c>irFrom</c> on.</summary>
public sealed class Night(double darkness, double irFrom = double.MaxValue, double irUntil = double.MaxValue) : ISceneLayer
{
    public void Draw(Mat frame, double t)
    {
        if (t >= irFrom && t < irUntil)
        {
            using var grey = new Mat();
            Cv2.CvtColor(frame, grey, ColorConversionCodes.BGR2GRAY);
            grey.ConvertTo(grey, -1, 0.55, 30);
            Cv2.CvtColor(grey, frame, ColorConversionCodes.GRAY2BGR);
        }
        else if (darkness < 1)
        {
            frame.ConvertTo(frame, -1, darkness, 0);
        }
    }
}

/// <summary>Insects flying close to the lens, lit by the camera's infrared: big, bright, blurred and erratic.</summary>
public sealed class LensInsects : ISceneLayer
{
    private readonly List<(double Start, double Length, Point2d[] Path, int Radius)> _flights = [];

    public LensInsects(Size frame, double seconds, double fps, Random rng)
    {
        for (var t = 3 + (rng.NextDouble() * 4); t < seconds; t += 3 + (rng.NextDouble() * 6))
        {
            var length = 0.4 + (rng.NextDouble() * 2.2);
            var p = new Point2d(rng.Next(frame.Width), rng.Next(frame.Height));
            var v = new Point2d(0, 0);
            var path = new Point2d[(int)(length * fps) + 1];
            for (var i = 0; i < path.Length; i++)
            {
                if (i % 2 == 0)
                {
                    v = new Point2d((rng.NextDouble() - 0.5) * 1200, (rng.NextDouble() - 0.5) * 900);
                }

                p = new Point2d(Math.Clamp(p.X + (v.X / fps), 0, frame.Width), Math.Clamp(p.Y + (v.Y / fps), 0, frame.Height));
                path[i] = p;
            }

            _flights.Add((t, length, path, rng.Next(20, 55)));
        }
    }

    public IEnumerable<Distractor> Distractors => _flights.Select(f => new Distractor("insect", f.Start, f.Start + f.Length));

    public void Draw(Mat frame, double t)
    {
        foreach (var (start, length, path, radius) in _flights)
        {
            if (t >= start && t < start + length)
            {
                var p = path[Math.Min(path.Length - 1, (int)((t - start) / length * (path.Length - 1)))];
                LensBlob.Draw(frame, new Point((int)p.X, (int)p.Y), new Size(radius, (int)(radius * 0.6)), radius / 2.0, 150);
            }
        }
    }
}

/// <summary>A spider close to the lens: it drops on its thread, swings, and climbs back.</summary>
public sealed class LensSpider(Point anchor, double dropAt, double climbAt, int length) : ISceneLayer
{
    public Distractor Distractor => new("spider", dropAt, climbAt + 2);

    public void Draw(Mat frame, double t)
    {
        if (t < dropAt || t > climbAt + 2)
        {
            return;
        }

        var down = t < dropAt + 1.5 ? (t - dropAt) / 1.5 : t > climbAt ? 1 - ((t - climbAt) / 2) : 1;
        var swing = 0.25 * Math.Sin(t * Math.PI * 2 * 0.35);
        var l = length * down;
        var body = new Point((int)(anchor.X + (l * Math.Sin(swing))), (int)(anchor.Y + (l * Math.Cos(swing))));
        Cv2.Line(frame, anchor, body, new Scalar(120, 120, 120), 1);
        LensBlob.Draw(frame, body, new Size(22, 16), 9, 140);
    }
}

/// <summary>A bright, out-of-focus blob added to the picture.</summary>
public static class LensBlob
{
    public static void Draw(Mat frame, Point centre, Size axes, double blur, double brightness)
    {
        var pad = (int)(blur * 3) + Math.Max(axes.Width, axes.Height);
        var r = new Rect(centre.X - pad, centre.Y - pad, pad * 2, pad * 2) & new Rect(0, 0, frame.Width, frame.Height);
        if (r.Width <= 0 || r.Height <= 0)
        {
            return;
        }

        using var blob = new Mat(r.Size, MatType.CV_8UC3, Scalar.All(0));
        Cv2.Ellipse(blob, new Point(centre.X - r.X, centre.Y - r.Y), axes, 30, 0, 360, Scalar.All(brightness), -1);
        Cv2.GaussianBlur(blob, blob, new Size(0, 0), blur);
        using var dst = new Mat(frame, r);
        Cv2.Add(dst, blob, dst);
    }
}

/// <summary>Rain streaks.</summary>
public sealed class Rain(Random rng, int drops) : ISceneLayer
{
    public void Draw(Mat frame, double t)
    {
        for (var i = 0; i < drops; i++)
        {
            var p = new Point(rng.Next(frame.Width), rng.Next(frame.Height));
            var len = rng.Next(12, 40);
            Cv2.Line(frame, p, new Point(p.X + (len / 5), p.Y + len), Scalar.All(rng.Next(150, 220)), 1);
        }
    }
}

/// <summary>Sensor noise.</summary>
public sealed class SensorNoise(double sigma) : ISceneLayer, IDisposable
{
    private readonly Mat _noise = new();
    private readonly Mat _wide = new();

    public void Dispose()
    {
        _noise.Dispose();
        _wide.Dispose();
    }

    public void Draw(Mat frame, double t)
    {
        _noise.Create(frame.Size(), MatType.CV_16SC3);
        Cv2.Randn(_noise, Scalar.All(0), Scalar.All(sigma));
        frame.ConvertTo(_wide, MatType.CV_16SC3);
        Cv2.Add(_wide, _noise, _wide);
        _wide.ConvertTo(frame, MatType.CV_8UC3);
    }
}

/// <summary>Signal faults: the camera repeats one frame, sends grey frames, or sends frames whose lower part is torn.</summary>
public sealed class SignalFaults(List<(string Kind, double Start, double Length)> faults, Random rng) : ISceneLayer, IDisposable
{
    private readonly Mat _held = new();
    private readonly Mat _older = new();
    private double _heldAt = -1;

    public IEnumerable<Distractor> Distractors => faults.Select(f => new Distractor(f.Kind, f.Start, f.Start + f.Length));

    public void Dispose()
    {
        _held.Dispose();
        _older.Dispose();
    }

    public void Draw(Mat frame, double t)
    {
        var fault = faults.FirstOrDefault(f => t >= f.Start && t < f.Start + f.Length);
        switch (fault.Kind)
        {
            case "frozen":
                if (_heldAt < fault.Start)
                {
                    frame.CopyTo(_held);
                    _heldAt = t;
                }

                _held.CopyTo(frame);
                break;
            case "signal-loss":
                frame.SetTo(Scalar.All(fault.Start % 2 < 1 ? 128 : 16));
                break;
            case "torn":
                var y = rng.Next(frame.Height / 5, frame.Height * 3 / 4);
                using (var lower = new Mat(frame, new Rect(0, y, frame.Width, frame.Height - y)))
                {
                    if (rng.NextDouble() < 0.5 && !_older.Empty())
                    {
                        var shift = rng.Next(8, 60);
                        using var src = new Mat(_older, new Rect(0, y, frame.Width - shift, frame.Height - y));
                        using var dst = new Mat(lower, new Rect(shift, 0, frame.Width - shift, frame.Height - y));
                        src.CopyTo(dst);
                    }
                    else
                    {
                        lower.SetTo(new Scalar(rng.Next(0, 60), rng.Next(100, 160), rng.Next(0, 60)));
                    }
                }

                break;
            default:
                if (rng.NextDouble() < 0.1)
                {
                    frame.CopyTo(_older);
                }

                break;
        }
    }
}
