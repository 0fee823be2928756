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
    private readonly Mat _colour = new();
    private readonly Mat _small = new();
    private readonly Mat _smallF = new();
    private readonly Mat _background = new();
    private readonly Mat _chroma = new();
    private readonly Mat _chromaBackground = new();
    private readonly Mat _changed = new();
    private readonly Mat _persistent = new();
    private readonly Mat _previous = new();
    private readonly Mat? _analysisMask;
    private readonly Mat _lastSmall = new();
    private readonly Mat _ratio = new();
    private readonly Mat _activity = new();
    private readonly Mat _ratioSmooth = new();
    private readonly FrameFaults _faults = new();
    private readonly RatioSlope _slope = new();
    private readonly CrossMorphology _morphology = new();
    private readonly double _analysisPixels;
    private readonly ObjectTracks _tracks;
    private AreaDownscale? _downscale;
    private ColourDownscale? _colourDownscale;
    private bool _initialised;
    private double _lastSeconds;
    private double _faultSince = -1;
    private string? _faultSeen; // the last fault other than a freeze since _faultSince

    /// <summary>A freeze at least this long is a camera that stopped (the scene may have changed meanwhile), not a still scene.</summary>
    private const double FreezeResetSeconds = 5;
    private double? _calibratingSince;
    private double _lastLightChange = double.NegativeInfinity;
    private const double CalmSeconds = 2;
    private const double ChromaLearnsSlower = 3;
    private double _meanBrightness;

    /// <param name="settings">Detection settings.</param>
    /// <param name="analysisMask">Optional 8-bit mask at detect resolution: non-zero where motion may count (zones minus exclusion masks).</param>
    public MotionDetector(MotionSettings settings, Mat? analysisMask = null)
    {
        _s = settings;
        _tracks = new ObjectTracks(settings);
        var width = (int)Math.Round(settings.DetectWidth * (double)settings.AnalysisHeight / settings.DetectHeight);
        _analysis = new Size(width, settings.AnalysisHeight);
        _scaleX = settings.DetectWidth / (double)width;
        _scaleY = settings.DetectHeight / (double)settings.AnalysisHeight;
        if (analysisMask is not null)
        {
            _analysisMask = new Mat();
            Cv2.Resize(analysisMask, _analysisMask, _analysis, 0, 0, InterpolationFlags.Nearest);
        }

        _analysisPixels = _analysisMask is null ? _analysis.Width * _analysis.Height : Math.Max(1, Cv2.CountNonZero(_analysisMask));
    }


    /// <summary>The tracks being followed (for tests and diagnostics).</summary>
    public IReadOnlyList<ObjectTrack> Tracks => _tracks.Tracks;

    /// <summary>Analyses one BGR frame at detect resolution taken at <paramref name="seconds"/>.</summary>
    public FrameMotion Detect(Mat bgr, double seconds)
    {
        Downscale(bgr);
        var dt = _initialised ? Math.Clamp(seconds - _lastSeconds, 0.01, 2) : 0.2;
        _lastSeconds = seconds;

        if (_initialised && _faults.Find(_small, _lastSmall) is { } fault)
        {
            _faultSince = _faultSince < 0 ? seconds : _faultSince;
            _faultSeen = fault == "frozen" ? _faultSeen : fault;
            if (fault == "torn")
            {
                _small.CopyTo(_lastSmall); // a real, sudden change of the whole picture is torn once, then analysed
            }

            return new FrameMotion(false, [], 0, false) { Fault = fault };
        }

        // Back from a fault the picture may have changed meanwhile: start afresh after a second of lost or torn
        // picture, but after a freeze only if it was long. A still scene from a block-skipping encoder repeats its
        // frames exactly for a second or more, and a slow walker there must not be learnt into the background.
        var resumed = _faultSince >= 0 && seconds - _faultSince >= (_faultSeen is null ? FreezeResetSeconds : 1.0);
        _faultSince = -1;
        _faultSeen = null;
        _small.CopyTo(_lastSmall);

        // Normalise brightness: a global gain change cancels; the gain is capped so a dark night frame is not
        // stretched into noise.
        var mean = _analysisMask is null ? Cv2.Mean(_small).Val0 : Cv2.Mean(_small, _analysisMask).Val0;
        var gain = Math.Clamp(128.0 / Math.Max(mean, 1.0), 0.5, 3.0);
        _small.ConvertTo(_smallF, MatType.CV_32F, gain);
        Cv2.GaussianBlur(_smallF, _smallF, new Size(5, 5), 0);
        if (Colour)
        {
            Cv2.GaussianBlur(_chroma, _chroma, new Size(5, 5), 0);
        }

        if (!_initialised || resumed)
        {
            // First frame, or the first good frame after a fault: the scene may have changed meanwhile.
            _meanBrightness = mean;
            CopyToBackground();
            _previous.Create(_analysis, MatType.CV_8U);
            _previous.SetTo(Scalar.All(0));
            if (!_initialised)
            {
                _activity.Create(_analysis, MatType.CV_32F);
                _activity.SetTo(Scalar.All(0));
            }

            _tracks.Clear();
            _initialised = true;
            return new FrameMotion(false, [], 0, resumed);
        }

        var changedPixels = ChangeMask.Apply(_smallF, _background, (float)_s.Threshold, _analysisMask, _changed);
        if (Colour)
        {
            changedPixels += ChangeMask.AddChroma(_chroma, _chromaBackground, (float)_s.ChromaThreshold, _analysisMask, _changed);
        }

        // A change over a large share of the frame, or a jump of the whole frame's brightness, is the light, not an
        // intruder: recalibrate, up to a deadline.
        var changedShare = changedPixels / _analysisPixels;
        var brightnessJump = Math.Abs((mean / Math.Max(_meanBrightness, 1.0)) - 1.0);
        _meanBrightness += 0.1 * (mean - _meanBrightness);
        if (changedShare >= _s.LightChangeFraction || brightnessJump >= _s.BrightnessJump)
        {
            _calibratingSince ??= seconds;
            _lastLightChange = seconds;
            if (seconds - _calibratingSince.Value < _s.RecalibrationDeadlineSeconds)
            {
                _meanBrightness = mean;
                CopyToBackground();
                _previous.SetTo(Scalar.All(0));
                _tracks.Clear();
                return new FrameMotion(false, [], 0, true);
            }
        }
        else if (seconds - _lastLightChange >= CalmSeconds)
        {
            // The deadline starts again only after the light has been calm a while: a torch flashed with pauses
            // can't buy a fresh window with each pause.
            _calibratingSince = null;
        }

        // Speckle (noise, rain, snow) goes first, but not a thin upright figure (a distant walker); then blobs are grown
        // so that one object is one blob.
        if (_s.KeepUpright)
        {
            _morphology.OpenKeepingUpright(_changed, _persistent);
        }
        else
        {
            _morphology.Open(_changed, _persistent);
        }

        // Dynamic background: where change keeps coming back (foliage, water, a flag) a pixel stops counting until
        // it has been still for a while. A walker passing through such a place is still seen on either side of it.
        ActivityMask.Apply(_persistent, _activity, (float)_s.DynamicActivity, (float)(1 - Math.Exp(-dt / _s.DynamicSeconds)));
        _morphology.Dilate(_persistent, _s.JoinIterations);

        Cv2.FindContours(_persistent, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var total = (double)(_analysis.Width * _analysis.Height);
        var blobs = new List<Rect>();
        foreach (var contour in contours)
        {
            var area = Cv2.ContourArea(contour) / total;
            if (area < _s.MinArea)
            {
                continue;
            }

            var box = Cv2.BoundingRect(contour);
            if (box.Width * (double)box.Height > _s.MaxObjectArea * total)
            {
                continue; // nothing walks up that close: a headlight sweep or a lamp lighting half the picture
            }

            // Temporal persistence: a blob counts only if change was also found at or near it in the previous
            // frame (within a few pixels, so even a fast walker qualifies). Flicker that comes and goes does not.
            if (_s.PersistenceFrames > 1 && !SeenBefore(box))
            {
                continue;
            }

            if (area >= _s.SmoothCheckArea && IsSmoothChange(box))
            {
                continue; // a shadow, a headlight cone, an out-of-focus insect: light, not an object
            }

            blobs.Add(new Rect((int)(box.X * _scaleX), (int)(box.Y * _scaleY), (int)Math.Ceiling(box.Width * _scaleX), (int)Math.Ceiling(box.Height * _scaleY)));
        }

        _persistent.CopyTo(_previous);

        // The background learns at a rate set in seconds, so 5 fps and 10 fps forget alike.
        var learn = 1 - Math.Exp(-dt / _s.BackgroundSeconds);
        Cv2.AccumulateWeighted(_smallF, _background, learn, null!);
        if (Colour)
        {
            // Slower than grey: colour differences are large next to their threshold, so the tint a saturated object
            // leaves in a background that learns fast would trail it as change (a ghost) well after it passed.
            Cv2.AccumulateWeighted(_chroma, _chromaBackground, 1 - Math.Exp(-dt / (_s.BackgroundSeconds * ChromaLearnsSlower)), null!);
        }

        var objects = _tracks.Update(blobs, seconds);
        if (objects.Count == 0)
        {
            return new FrameMotion(false, [], 0, false);
        }

        var detectArea = (double)_s.DetectWidth * _s.DetectHeight;
        var moving = Math.Min(1, objects.Sum(o => o.Box.Width * (double)o.Box.Height) / detectArea);
        return new FrameMotion(true, [.. objects.Select(o => o.Box)], moving, false) { Onset = objects.Min(o => o.FirstSeen) };
    }

    /// <summary>
    /// A change whose ratio to the background has soft edges (a cloud shadow, a headlight cone, an insect or spider
    /// out of focus on the lens) rather than the sharp edges of an object: the ratio's steepest slope is small next
    /// to its depth.
    /// </summary>
    private bool IsSmoothChange(Rect box)
    {
        var (depth, steepest, greyPixels) = _slope.Measure(_smallF, _background, _changed, box);
        if (greyPixels == 0)
        {
            return false; // only its colour changed: light changes grey, so this is a body of another colour
        }

        if (steepest < _s.SmoothChangeRatio * depth)
        {
            return true;
        }

        if (box.Width * (double)box.Height < _s.SmoothDetailArea * _analysis.Width * _analysis.Height)
        {
            return false; // a cone of light is large; a plain car is not, and must not pass for one
        }

        using var cur = new Mat(_smallF, box);
        using var bg = new Mat(_background, box);
        using var changedHere = new Mat(_changed, box);
        using var greyOnly = Colour ? new Mat() : null;
        if (greyOnly is not null)
        {
            Cv2.Threshold(changedHere, greyOnly, ChangeMask.ColourOnly, 255, ThresholdTypes.Binary); // grey change only
        }

        var changed = greyOnly ?? changedHere;

        // Light that adds to the scene (a headlight cone at night) changes the difference smoothly, whatever the
        // texture under it: the difference's detail (its departure from a local mean) is small next to its size.
        Cv2.Subtract(cur, bg, _ratio);
        Cv2.Blur(_ratio, _ratioSmooth, new Size(7, 7), null, BorderTypes.Reflect);
        Cv2.Absdiff(_ratio, _ratioSmooth, _ratioSmooth);
        var detail = Cv2.Mean(_ratioSmooth, changed).Val0;
        Cv2.Absdiff(cur, bg, _ratio);
        var size = Cv2.Mean(_ratio, changed).Val0;
        return detail < _s.SmoothDetailRatio * size;
    }

    /// <summary>
    /// Temporal persistence: whether change was found at or near <paramref name="box"/> (within three pixels) in the
    /// previous frame.
    /// </summary>
    private bool SeenBefore(Rect box) => NearChange.Within(_previous, box, 3);

    private bool Colour => _s.ChromaThreshold > 0;

    /// <summary>
    /// Grey at analysis size, each pixel the mean of the source area it covers (<see cref="AreaDownscale"/>), and with
    /// colour on, chroma beside it from the same pass (<see cref="ColourDownscale"/>).
    /// </summary>
    private void Downscale(Mat bgr)
    {
        if (Colour)
        {
            if (_colourDownscale is null || _colourDownscale.From != bgr.Size())
            {
                _colourDownscale = new ColourDownscale(bgr.Size(), _analysis);
            }

            _colourDownscale.Apply(bgr, _small, _chroma);
            return;
        }

        Cv2.CvtColor(bgr, _colour, ColorConversionCodes.BGR2GRAY);
        if (_downscale is null || _downscale.From != _colour.Size())
        {
            _downscale = new AreaDownscale(_colour.Size(), _analysis);
        }

        _downscale.Apply(_colour, _small);
    }

    private void CopyToBackground()
    {
        _smallF.CopyTo(_background);
        if (Colour)
        {
            _chroma.CopyTo(_chromaBackground);
        }
    }

    public void Dispose()
    {
        foreach (var m in new[] { _colour, _small, _smallF, _background, _changed, _persistent, _previous, _lastSmall, _ratio, _ratioSmooth, _activity, _chroma, _chromaBackground })
        {
            m.Dispose();
        }

        _analysisMask?.Dispose();
        _colourDownscale?.Dispose();
    }
}
