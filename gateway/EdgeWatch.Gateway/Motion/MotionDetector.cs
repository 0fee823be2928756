using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>Motion found in one frame: boxes in detect-resolution pixels and the moving share of the frame.</summary>
public readonly record struct FrameMotion(bool Moving, IReadOnlyList<Rect> Boxes, double Area, bool Calibrating)
{
    /// <summary>When the earliest object moving now was first seen (an event starts then, not when it was confirmed).</summary>
    public double? Onset { get; init; }

    /// <summary>A signal fault in this frame ("frozen", "signal-loss", "torn"), or null: such a frame is not analysed.</summary>
    public string? Fault { get; init; }
}

/// <summary>
/// Frame-to-frame motion detection, built on the running-average difference that Frigate's improved motion detector
/// uses (downscale, contrast normalisation, blur, difference against a running average, threshold, dilate, contours)
/// and hardened where its users complain:
/// <list type="bullet">
/// <item>Brightness is normalised per frame, so a global gain change (lights, a cloud, the camera's exposure) cancels
/// out; a change that still covers a large share of the frame (IR switch, headlight sweep) recalibrates the background
/// instead of raising motion, but only until a deadline, so a busy scene cannot keep detection off.</item>
/// <item>A pixel counts only if it changed in several consecutive frames (temporal persistence): rain, snow and sensor
/// noise flicker and are dropped; a walker, however slow, overlaps itself and is kept.</item>
/// <item>Very large blobs (an insect on the lens, glare) must persist and move coherently before they count.</item>
/// </list>
/// All working images are allocated once and reused; call <see cref="Dispose"/> to free them.
/// </summary>
public sealed class MotionDetector : IDisposable
{
    private readonly MotionSettings _s;
    private readonly Size _analysis;
    private readonly double _scaleX;
    private readonly double _scaleY;
    private readonly Mat _gray = new();
    private readonly Mat _small = new();
    private readonly Mat _smallF = new();
    private readonly Mat _background = new();
    private readonly Mat _diff = new();
    private readonly Mat _changed = new();
    private readonly Mat _persistent = new();
    private readonly Mat _previous = new();
    private readonly Mat _previousGrown = new();
    private readonly Mat _kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3));
    private readonly Mat? _analysisMask;
    private readonly List<LargeTrack> _large = [];
    private bool _initialised;
    private double? _calibratingSince;
    private double _meanBrightness;

    /// <param name="settings">Detection settings.</param>
    /// <param name="analysisMask">Optional 8-bit mask at detect resolution: non-zero where motion may count (zones minus exclusion masks).</param>
    public MotionDetector(MotionSettings settings, Mat? analysisMask = null)
    {
        _s = settings;
        var width = (int)Math.Round(settings.DetectWidth * (double)settings.AnalysisHeight / settings.DetectHeight);
        _analysis = new Size(width, settings.AnalysisHeight);
        _scaleX = settings.DetectWidth / (double)width;
        _scaleY = settings.DetectHeight / (double)settings.AnalysisHeight;
        if (analysisMask is not null)
        {
            _analysisMask = new Mat();
            Cv2.Resize(analysisMask, _analysisMask, _analysis, 0, 0, InterpolationFlags.Nearest);
        }
    }

    private double AnalysisPixels => _analysisMask is null ? _analysis.Width * _analysis.Height : Math.Max(1, Cv2.CountNonZero(_analysisMask));

    /// <summary>Analyses one BGR frame at detect resolution taken at <paramref name="seconds"/>.</summary>
    public FrameMotion Detect(Mat bgr, double seconds)
    {
        Cv2.CvtColor(bgr, _gray, ColorConversionCodes.BGR2GRAY);
        Cv2.Resize(_gray, _small, _analysis, 0, 0, InterpolationFlags.Area);

        // Normalise brightness: a global gain change cancels; the gain is capped so a dark night frame is not
        // stretched into noise.
        var mean = _analysisMask is null ? Cv2.Mean(_small).Val0 : Cv2.Mean(_small, _analysisMask).Val0;
        var gain = Math.Clamp(128.0 / Math.Max(mean, 1.0), 0.5, 3.0);
        _small.ConvertTo(_smallF, MatType.CV_32F, gain);
        Cv2.GaussianBlur(_smallF, _smallF, new Size(5, 5), 0);

        if (!_initialised)
        {
            _meanBrightness = mean;
            _smallF.CopyTo(_background);
            _previous.Create(_analysis, MatType.CV_8U);
            _previous.SetTo(Scalar.All(0));
            _initialised = true;
            return new FrameMotion(false, [], 0, false);
        }

        Cv2.Absdiff(_smallF, _background, _diff);
        Cv2.Threshold(_diff, _diff, _s.Threshold, 255, ThresholdTypes.Binary);
        _diff.ConvertTo(_changed, MatType.CV_8U);
        if (_analysisMask is not null)
        {
            Cv2.BitwiseAnd(_changed, _analysisMask, _changed);
        }

        // A change over a large share of the frame, or a jump of the whole frame's brightness, is the light, not an
        // intruder: recalibrate, up to a deadline.
        var changedShare = Cv2.CountNonZero(_changed) / AnalysisPixels;
        var brightnessJump = Math.Abs((mean / Math.Max(_meanBrightness, 1.0)) - 1.0);
        _meanBrightness += 0.1 * (mean - _meanBrightness);
        if (changedShare >= _s.LightChangeFraction || brightnessJump >= _s.BrightnessJump)
        {
            _calibratingSince ??= seconds;
            if (seconds - _calibratingSince.Value < _s.RecalibrationDeadlineSeconds)
            {
                _meanBrightness = mean;
                _smallF.CopyTo(_background);
                _previous.SetTo(Scalar.All(0));
                _large.Clear();
                return new FrameMotion(false, [], 0, true);
            }
        }
        else
        {
            _calibratingSince = null;
        }

        // Speckle (noise, rain, snow) goes first; then blobs are grown so that one object is one blob.
        Cv2.MorphologyEx(_changed, _persistent, MorphTypes.Open, _kernel);
        Cv2.Dilate(_persistent, _persistent, _kernel, iterations: 2);

        // Temporal persistence: a blob counts only if change was also found at or near it in the previous frame
        // (within a few pixels, so even a fast walker qualifies). Flicker that comes and goes does not.
        Cv2.Dilate(_previous, _previousGrown, _kernel, iterations: 3);
        _persistent.CopyTo(_previous);

        Cv2.AccumulateWeighted(_smallF, _background, _s.BackgroundAlpha, null!);

        Cv2.FindContours(_persistent, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var total = (double)(_analysis.Width * _analysis.Height);
        var boxes = new List<Rect>();
        double moving = 0;
        var seenLarge = new List<LargeTrack>();
        foreach (var contour in contours)
        {
            var area = Cv2.ContourArea(contour) / total;
            if (area < _s.MinArea)
            {
                continue;
            }

            var box = Cv2.BoundingRect(contour);
            if (_s.PersistenceFrames > 1)
            {
                using var before = new Mat(_previousGrown, box);
                if (Cv2.CountNonZero(before) == 0)
                {
                    continue;
                }
            }

            if (area >= _s.LargeBlobArea && !LargeBlobPersists(box, seconds, seenLarge))
            {
                continue;
            }

            moving += area;
            boxes.Add(new Rect((int)(box.X * _scaleX), (int)(box.Y * _scaleY), (int)Math.Ceiling(box.Width * _scaleX), (int)Math.Ceiling(box.Height * _scaleY)));
        }

        _large.RemoveAll(t => !seenLarge.Contains(t));
        return new FrameMotion(boxes.Count > 0, boxes, Math.Min(1, moving), false);
    }

    /// <summary>A large blob counts once it has been seen, overlapping its previous position, for long enough.</summary>
    private bool LargeBlobPersists(Rect box, double seconds, List<LargeTrack> seen)
    {
        var track = _large.FirstOrDefault(t => Overlap(t.Box, box) > 0.3);
        if (track is null)
        {
            track = new LargeTrack { Box = box, Since = seconds };
            _large.Add(track);
        }

        track.Box = box;
        seen.Add(track);
        return seconds - track.Since >= _s.LargeBlobMinSeconds;
    }

    private static double Overlap(Rect a, Rect b)
    {
        var i = a & b;
        var inter = (double)Math.Max(0, i.Width) * Math.Max(0, i.Height);
        return inter / Math.Max(1, Math.Min(a.Width * a.Height, b.Width * b.Height));
    }

    public void Dispose()
    {
        foreach (var m in new[] { _gray, _small, _smallF, _background, _diff, _changed, _persistent, _previous, _previousGrown, _kernel })
        {
            m.Dispose();
        }

        _analysisMask?.Dispose();
    }

    private sealed class LargeTrack
    {
        public Rect Box { get; set; }
        public double Since { get; init; }
    }
}
