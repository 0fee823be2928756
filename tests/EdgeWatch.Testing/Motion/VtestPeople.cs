using OpenCvSharp;

namespace EdgeWatch.Testing.Motion;

/// <summary>A person cut from real footage: the pixels and the mask of their silhouette.</summary>
public sealed record Cutout(Mat Image, Mat Mask) : IDisposable
{
    public void Dispose()
    {
        Image.Dispose();
        Mask.Dispose();
    }
}

/// <summary>
/// Real material from opencv-doc's <c>vtest.avi</c> (a campus square, people walking): the empty scene as the per-pixel
/// median of frames across the clip, cropped to 16:9 and scaled to 640×360, and people cut from frames where they
/// differ from that plate, so generated clips have real backgrounds and real, textured people.
/// </summary>
public sealed class VtestPeople : IDisposable
{
    public const int Width = 640, Height = 360;

    private VtestPeople(Mat plate, List<Cutout> people)
    {
        Plate = plate;
        People = people;
    }

    /// <summary>The empty square at 640×360.</summary>
    public Mat Plate { get; }

    /// <summary>People at their size in <see cref="Plate"/> (roughly 50–90 px tall).</summary>
    public IReadOnlyList<Cutout> People { get; }

    public static VtestPeople Load(string vtest)
    {
        var frames = new List<Mat>();
        using (var capture = new VideoCapture(vtest))
        {
            using var f = new Mat();
            var n = 0;
            while (capture.Read(f) && !f.Empty())
            {
                if (n++ % 16 == 0)
                {
                    frames.Add(Crop(f));
                }
            }
        }

        if (frames.Count < 10)
        {
            throw new InvalidDataException($"{vtest}: too few frames to build a background plate");
        }

        var plate = Median(frames);
        var people = new List<Cutout>();
        foreach (var frame in frames)
        {
            Cut(frame, plate, people);
        }

        foreach (var f in frames)
        {
            f.Dispose();
        }

        return people.Count >= 8 ? new VtestPeople(plate, people) : throw new InvalidDataException($"{vtest}: found only {people.Count} people");
    }

    /// <summary>The 16:9 band of the 768×576 frame, at 640×360.</summary>
    private static Mat Crop(Mat frame)
    {
        var h = frame.Width * 9 / 16;
        using var band = new Mat(frame, new Rect(0, frame.Height - h, frame.Width, h));
        var m = new Mat();
        Cv2.Resize(band, m, new Size(Width, Height), 0, 0, InterpolationFlags.Area);
        return m;
    }

    private static Mat Median(List<Mat> frames)
    {
        var n = frames.Count;
        var bytes = frames.Select(f =>
        {
            var b = new byte[Width * Height * 3];
            System.Runtime.InteropServices.Marshal.Copy(f.Data, b, 0, b.Length);
            return b;
        }).ToArray();
        var result = new byte[Width * Height * 3];
        var column = new byte[n];
        for (var i = 0; i < result.Length; i++)
        {
            for (var k = 0; k < n; k++)
            {
                column[k] = bytes[k][i];
            }

            Array.Sort(column);
            result[i] = column[n / 2];
        }

        var plate = new Mat(Height, Width, MatType.CV_8UC3);
        System.Runtime.InteropServices.Marshal.Copy(result, 0, plate.Data, result.Length);
        return plate;
    }

    private static void Cut(Mat frame, Mat plate, List<Cutout> people)
    {
        using var diff = new Mat();
        Cv2.Absdiff(frame, plate, diff);
        var channels = Cv2.Split(diff);
        using var fg = new Mat();
        Cv2.Max(channels[0], channels[1], fg);
        Cv2.Max(fg, channels[2], fg);
        foreach (var c in channels)
        {
            c.Dispose();
        }

        Cv2.Threshold(fg, fg, 40, 255, ThresholdTypes.Binary);
        using var k3 = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3));
        using var k7 = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(5, 9));
        Cv2.MorphologyEx(fg, fg, MorphTypes.Open, k3);
        Cv2.MorphologyEx(fg, fg, MorphTypes.Close, k7);
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        var count = Cv2.ConnectedComponentsWithStats(fg, labels, stats, centroids);
        for (var i = 1; i < count; i++)
        {
            var r = new Rect(stats.At<int>(i, 0), stats.At<int>(i, 1), stats.At<int>(i, 2), stats.At<int>(i, 3));
            var area = stats.At<int>(i, 4);
            // Upright, person-sized and solid; not touching the frame's edge (a person half out of view).
            if (r.Height is < 40 or > 110 || r.Height < 1.6 * r.Width || r.Height > 5 * r.Width || area < 0.35 * r.Width * r.Height
                || r.X <= 1 || r.Y <= 1 || r.Right >= Width - 1 || r.Bottom >= Height - 1)
            {
                continue;
            }

            using var component = new Mat();
            Cv2.Compare(new Mat(labels, r), Scalar.All(i), component, CmpTypes.EQ);
            people.Add(new Cutout(new Mat(frame, r).Clone(), component.Clone()));
        }
    }

    public void Dispose()
    {
        Plate.Dispose();
        foreach (var p in People)
        {
            p.Dispose();
        }
    }
}
