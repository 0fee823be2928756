using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

/// <summary>A camera that freezes: a live (noisy) street, then the same frame again and again, then live again.</summary>
internal static class FrozenClip
{
    public const double Fps = 10;

    /// <summary>Writes the clip (MJPEG, 640×360): <paramref name="live"/> seconds, <paramref name="frozen"/> seconds of one frame, <paramref name="after"/> seconds live.</summary>
    public static string Write(string path, double live, double frozen, double after)
    {
        using var writer = new VideoWriter(path, FourCC.MJPG, Fps, new Size(640, 360));
        Assert.True(writer.IsOpened(), "OpenCV cannot write MJPG .avi here");
        using var street = new Mat(360, 640, MatType.CV_8UC3, new Scalar(90, 100, 110));
        Cv2.Rectangle(street, new Rect(60, 80, 200, 140), new Scalar(160, 170, 190), -1);
        Cv2.Line(street, new Point(0, 300), new Point(640, 300), new Scalar(230, 230, 230), 3);
        using var noise = new Mat(street.Size(), MatType.CV_8UC3);
        using var frame = new Mat();
        Cv2.SetTheRNG(7);
        void Live()
        {
            Cv2.Randn(noise, Scalar.All(0), Scalar.All(3));
            Cv2.Add(street, noise, frame);
            writer.Write(frame);
        }

        var (a, b, c) = ((int)(live * Fps), (int)(frozen * Fps), (int)(after * Fps));
        for (var i = 0; i < a; i++)
        {
            Live();
        }

        for (var i = 0; i < b; i++)
        {
            writer.Write(frame); // the last live frame, again
        }

        for (var i = 0; i < c; i++)
        {
            Live();
        }

        return path;
    }
}
