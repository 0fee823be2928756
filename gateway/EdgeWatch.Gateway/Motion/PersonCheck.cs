using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Whether a person is in a candidate event's boxes: OpenCV's built-in HOG people detector (Dalal and Triggs, no
/// weights to download) run on each moving box alone, never on the whole picture, and only when an event would start.
/// Each box gets a margin, is widened to at least a person's 1:2 shape, and is scaled so that its height fills the
/// detector's 128-pixel window: a distant walker of 25 pixels is enlarged, a near one shrunk.
/// </summary>
public sealed class PersonCheck : IDisposable
{
    private const int WindowHeight = 128;
    private const double Margin = 0.25;
    private readonly HOGDescriptor _hog = new();
    private readonly Mat _crop = new();
    private readonly Mat _grey = new();

    public PersonCheck()
    {
        _hog.SetSVMDetector(HOGDescriptor.GetDefaultPeopleDetector());
    }

    /// <summary>The detector's score a window must pass (0 is the trained boundary; higher is stricter).</summary>
    public double HitThreshold { get; init; }

    /// <summary>Boxes smaller than this many pixels high are not checked (too little to see).</summary>
    public int MinBoxHeight { get; init; } = 12;

    /// <summary>True when a person is found in any box, false when none is, null when no box could be checked.</summary>
    public bool? Check(Mat bgr, IEnumerable<Rect> boxes)
    {
        var checkedAny = false;
        foreach (var box in boxes)
        {
            if (box.Height < MinBoxHeight || box.Width < 4)
            {
                continue;
            }

            checkedAny = true;
            if (Contains(bgr, box))
            {
                return true;
            }
        }

        return checkedAny ? false : null;
    }

    private bool Contains(Mat bgr, Rect box)
    {
        // The box with a margin (the detector needs some background around a body), at least a person's 1:2 shape
        // wide; a wide box (people walking side by side) stays wide, and its height still sets the scale.
        var height = box.Height * (1 + (2 * Margin));
        var width = Math.Max(box.Width * (1 + (2 * Margin)), height / 2);
        var cx = box.X + (box.Width / 2.0);
        var cy = box.Y + (box.Height / 2.0);
        var region = new Rect((int)Math.Round(cx - (width / 2)), (int)Math.Round(cy - (height / 2)), (int)Math.Round(width), (int)Math.Round(height))
                     & new Rect(0, 0, bgr.Width, bgr.Height);
        if (region.Width < 4 || region.Height < 8)
        {
            return false;
        }

        // Scale so the box's height fills the window; the detector then also tries a little smaller and larger.
        var scale = WindowHeight / height * 1.1;
        var size = new Size(Math.Max(64, (int)Math.Round(region.Width * scale)), Math.Max(WindowHeight, (int)Math.Round(region.Height * scale)));
        using (var roi = new Mat(bgr, region))
        {
            Cv2.Resize(roi, _crop, size, 0, 0, scale > 1 ? InterpolationFlags.Linear : InterpolationFlags.Area);
        }

        Cv2.CvtColor(_crop, _grey, ColorConversionCodes.BGR2GRAY);
        var found = _hog.DetectMultiScale(_grey, HitThreshold, new Size(8, 8), new Size(0, 0), 1.1, 0);
        return found.Length > 0;
    }

    public void Dispose()
    {
        _hog.Dispose();
        _crop.Dispose();
        _grey.Dispose();
    }
}
