using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>Masks and zone tests for one camera at detect resolution.</summary>
public sealed class CameraGeometry(CameraOptions camera, int width, int height)
{
    private Point[] Pixels(IEnumerable<double[]> polygon) =>
        [.. polygon.Select(p => new Point((int)Math.Round(p[0] * (width - 1)), (int)Math.Round(p[1] * (height - 1))))];

    /// <summary>Where motion may count: the zones (or the whole frame when there are none) minus exclusion and privacy masks.</summary>
    public Mat? AnalysisMask()
    {
        if (camera.Zones.Count == 0 && camera.ExclusionMasks.Count == 0 && camera.PrivacyMasks.Count == 0)
        {
            return null;
        }

        var mask = new Mat(height, width, MatType.CV_8U, Scalar.All(camera.Zones.Count == 0 ? 255 : 0));
        foreach (var z in camera.Zones)
        {
            Cv2.FillPoly(mask, [Pixels(z.Polygon)], Scalar.All(255));
        }

        foreach (var m in camera.ExclusionMasks.Concat(camera.PrivacyMasks))
        {
            Cv2.FillPoly(mask, [Pixels(m)], Scalar.All(0));
        }

        return mask;
    }

    /// <summary>Non-zero where the picture must be blacked out, or null when the camera has no privacy masks.</summary>
    public Mat? PrivacyMask()
    {
        if (camera.PrivacyMasks.Count == 0)
        {
            return null;
        }

        var mask = new Mat(height, width, MatType.CV_8U, Scalar.All(0));
        foreach (var m in camera.PrivacyMasks)
        {
            Cv2.FillPoly(mask, [Pixels(m)], Scalar.All(255));
        }

        return mask;
    }

    /// <summary>
    /// Applies each zone's own sensitivity: a box whose centre lies in a zone must cover at least that zone's minimum
    /// area (<paramref name="baseMinArea"/> scaled by 1.5 − sensitivity). Boxes outside every zone keep the camera's.
    /// </summary>
    public FrameMotion ApplyZoneSensitivity(FrameMotion motion, double baseMinArea)
    {
        if (!motion.Moving || camera.Zones.All(z => z.Sensitivity is null))
        {
            return motion;
        }

        var kept = new List<Rect>();
        foreach (var b in motion.Boxes)
        {
            var centre = new Point2f(b.X + (b.Width / 2f), b.Y + (b.Height / 2f));
            var zone = camera.Zones.FirstOrDefault(z => Cv2.PointPolygonTest(Pixels(z.Polygon), centre, false) >= 0);
            var minArea = zone?.Sensitivity is { } s ? baseMinArea * (1.5 - s) : 0;
            if ((double)b.Width * b.Height / (width * height) >= minArea)
            {
                kept.Add(b);
            }
        }

        return kept.Count == motion.Boxes.Count ? motion : new FrameMotion(kept.Count > 0, kept, kept.Count > 0 ? motion.Area : 0, motion.Calibrating);
    }

    /// <summary>The zones whose polygon contains the centre of any of the boxes.</summary>
    public IReadOnlyList<string> ZonesOf(IEnumerable<Rect> boxes)
    {
        var hits = new List<string>();
        foreach (var z in camera.Zones)
        {
            var poly = Pixels(z.Polygon);
            if (boxes.Any(b => Cv2.PointPolygonTest(poly, new Point2f(b.X + (b.Width / 2f), b.Y + (b.Height / 2f)), false) >= 0))
            {
                hits.Add(z.Id);
            }
        }

        return hits;
    }
}
