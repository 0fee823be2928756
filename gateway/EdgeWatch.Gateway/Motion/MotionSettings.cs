using System.Text.Json;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Motion detection settings for one camera. Every value has a default tuned on the labelled test clips; see
/// gateway/README.md for what each one does.
/// </summary>
public sealed record MotionSettings
{
    /// <summary>Frames are decoded (by ffmpeg) at this size.</summary>
    public int DetectWidth { get; init; } = 640;
    public int DetectHeight { get; init; } = 360;

    /// <summary>Analysis frame rate for live cameras (files are analysed at their own rate).</summary>
    public double DetectFps { get; init; } = 5;

    /// <summary>Frames are downscaled to this height for analysis (width keeps the aspect ratio).</summary>
    public int AnalysisHeight { get; init; } = 120;

    /// <summary>Grey-level difference (0–255, after brightness normalisation) that counts as change.</summary>
    public int Threshold { get; init; } = 22;

    /// <summary>
    /// Colour change that counts, in relative chroma (B − Y and R − Y over Y, × 128; the two differences' sum): a body
    /// of another colour but the road's grey shows in it. 0 leaves colour out (grey only, as Frigate).
    /// </summary>
    public double ChromaThreshold { get; init; }

    /// <summary>Seconds in which the background takes up about two thirds of a change (a time constant, whatever the frame rate).</summary>
    public double BackgroundSeconds { get; init; } = 2.0;

    /// <summary>Smallest moving area, as a share of the frame, that counts (a small, distant walker is about 0.0005).</summary>
    public double MinArea { get; init; } = 0.0004;

    /// <summary>A share of changed pixels at or above this is a global light change (lights, IR switch, headlights), not motion.</summary>
    public double LightChangeFraction { get; init; } = 0.30;

    /// <summary>A jump of the whole frame's mean brightness by this share (lights on or off, the IR switch) recalibrates.</summary>
    public double BrightnessJump { get; init; } = 0.15;

    /// <summary>Longest time detection may stay in recalibration; after it, changes count as motion again.</summary>
    public double RecalibrationDeadlineSeconds { get; init; } = 10;

    /// <summary>Blobs at least this share of the frame are checked for a smooth change (shadow, headlights, lens blur).</summary>
    public double SmoothCheckArea { get; init; } = 0.002;

    /// <summary>A blob whose ratio to the background is less steep, per analysis pixel, than this share of its depth is light, not an object.</summary>
    public double SmoothChangeRatio { get; init; } = 0.2;

    /// <summary>A blob whose difference from the background has less detail than this share of its size is added light (headlights), not an object; 0 turns the check off.</summary>
    public double SmoothDetailRatio { get; init; } = 0.1;

    /// <summary>Blobs whose box covers at least this share of the picture get the detail check (<see cref="SmoothDetailRatio"/>).</summary>
    public double SmoothDetailArea { get; init; } = 0.08;

    /// <summary>Dynamic background: a pixel that changed in more than this share of the recent frames does not count.</summary>
    public double DynamicActivity { get; init; } = 0.25;

    /// <summary>Dynamic background: seconds over which a pixel's recent changes are averaged.</summary>
    public double DynamicSeconds { get; init; } = 15;

    /// <summary>
    /// The speckle opening also keeps upright structures one analysis pixel wide (a walker 20 px tall far away is two or
    /// three analysis pixels wide, and the 3×3 cross alone erases him).
    /// </summary>
    public bool KeepUpright { get; init; } = true;

    /// <summary>Dilations (3×3, at analysis resolution) that join an object's parts into one blob (a plain car's front and back).</summary>
    public int JoinIterations { get; init; } = 2;

    /// <summary>Blobs side by side whose gap is under this share of their height are one object (0 turns joining off).</summary>
    public double JoinGapShare { get; init; } = 0.5;

    /// <summary>A blob whose box covers more than this share of the picture is light (a headlight sweep, a lamp), not an object.</summary>
    public double MaxObjectArea { get; init; } = 0.4;

    /// <summary>Short-lived object filter: seconds a track must live before it counts.</summary>
    public double MinTrackSeconds { get; init; } = 1.5;

    /// <summary>Swaying object filter: pixels (at detect resolution) a track must move from where it started, plus half its width.</summary>
    public double MinTravelPixels { get; init; } = 16;


    /// <summary>Swaying object filter: share of a track's width added to <see cref="MinTravelPixels"/>.</summary>
    public double TravelWidthShare { get; init; } = 0.5;

    /// <summary>Swaying object filter: a track that turns back by more than this many pixels (or <see cref="ReturnShare"/> of its reach) starts its outward run again; 0 turns it off.</summary>
    public double ReturnPixels { get; init; } = 10;

    /// <summary>Swaying object filter: the share of its reach a track may turn back before its run starts again.</summary>
    public double ReturnShare { get; init; } = 0.25;

    /// <summary>A track whose box grows or shrinks by more than this factor between two frames, away from the picture's edge, has split or merged with another blob: its run starts again.</summary>
    public double MaxResize { get; init; } = 2;

    /// <summary>
    /// A track whose step is faster than this many times its box's larger side per second has hopped to another blob
    /// (a walker covers about one body height a second, a car two or three car lengths): its run starts again; 0 turns it off.
    /// </summary>
    public double MaxSizesPerSecond { get; init; } = 4;

    /// <summary>
    /// A track that comes back after a gap (no blob for a frame or more) is held to its course as if it had been gone
    /// at most this long: an object moves on along its course while unseen, but an insect's blurry blob vanishes and
    /// comes back as another blob some way off, and must not have covered that way.
    /// </summary>
    public double CourseGapSeconds { get; init; } = 0.3;

    /// <summary>Small object filter: the smallest box height, in pixels, at the top of the picture (far away).</summary>
    public double FarObjectHeight { get; init; } = 14;

    /// <summary>Small object filter: the smallest box height, in pixels, at the bottom of the picture (near).</summary>
    public double NearObjectHeight { get; init; } = 36;

    /// <summary>Seconds a track survives without a blob (a walker behind a post).</summary>
    public double TrackGapSeconds { get; init; } = 0.6;

    /// <summary>Consecutive motion frames needed to start an event.</summary>
    public int MinConsecutiveFrames { get; init; } = 1;

    /// <summary>Seconds without a moving object that end an event (its tracks have ended).</summary>
    public double QuietSeconds { get; init; } = 1;

    /// <summary>Frames that must all show change at a pixel (temporal persistence: rejects rain, snow and sensor noise).</summary>
    public int PersistenceFrames { get; init; } = 2;

    /// <summary>
    /// Seconds a camera must keep sending frozen, blank or torn frames before it is reported as a camera trouble
    /// (<see cref="SignalWatch"/>); as long as <c>camera-offline</c> waits for a camera that sends nothing.
    /// </summary>
    public double SignalFaultSeconds { get; init; } = 30;

    public static MotionSettings Default { get; } = new();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Reads settings from JSON; unknown keys and out-of-range values fail naming the key.</summary>
    public static MotionSettings Load(string path)
    {
        MotionSettings? s;
        try
        {
            s = JsonSerializer.Deserialize<MotionSettings>(File.ReadAllText(path), Json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"settings file '{path}' is not valid: {ex.Message}", ex);
        }

        var settings = s ?? throw new ArgumentException($"settings file '{path}' is empty");
        var errors = settings.Validate();
        return errors.Count == 0 ? settings : throw new ArgumentException($"settings file '{path}': {string.Join("; ", errors)}");
    }

    public List<string> Validate()
    {
        var e = new List<string>();
        void Check(bool ok, string key, object value, string range)
        {
            if (!ok)
            {
                e.Add($"{key} must be {range} (was {value})");
            }
        }

        Check(DetectWidth is >= 64 and <= 3840, "detectWidth", DetectWidth, "64–3840");
        Check(DetectHeight is >= 48 and <= 2160, "detectHeight", DetectHeight, "48–2160");
        Check(DetectFps is > 0 and <= 30, "detectFps", DetectFps, "above 0 and at most 30");
        Check(AnalysisHeight >= 48 && AnalysisHeight <= DetectHeight, "analysisHeight", AnalysisHeight, "48–detectHeight");
        Check(Threshold is >= 5 and <= 100, "threshold", Threshold, "5–100");
        Check(ChromaThreshold == 0 || ChromaThreshold is >= 5 and <= 200, "chromaThreshold", ChromaThreshold, "0 (off) or 5–200");
        Check(BackgroundSeconds is >= 0.1 and <= 600, "backgroundSeconds", BackgroundSeconds, "0.1–600");
        Check(MinArea is > 0 and < 0.5, "minArea", MinArea, "between 0 and 0.5");
        Check(LightChangeFraction is > 0.05 and <= 1, "lightChangeFraction", LightChangeFraction, "above 0.05 and at most 1");
        Check(BrightnessJump is > 0.02 and <= 1, "brightnessJump", BrightnessJump, "above 0.02 and at most 1");
        Check(RecalibrationDeadlineSeconds is >= 1 and <= 600, "recalibrationDeadlineSeconds", RecalibrationDeadlineSeconds, "1–600");
        Check(SmoothCheckArea is >= 0 and <= 1, "smoothCheckArea", SmoothCheckArea, "0–1");
        Check(SmoothChangeRatio is >= 0 and <= 2, "smoothChangeRatio", SmoothChangeRatio, "0–2");
        Check(SmoothDetailRatio is >= 0 and <= 2, "smoothDetailRatio", SmoothDetailRatio, "0–2");
        Check(SmoothDetailArea is >= 0 and <= 1, "smoothDetailArea", SmoothDetailArea, "0–1");
        Check(DynamicActivity is > 0 and <= 1, "dynamicActivity", DynamicActivity, "above 0 and at most 1");
        Check(DynamicSeconds is >= 1 and <= 600, "dynamicSeconds", DynamicSeconds, "1–600");
        Check(JoinIterations is >= 0 and <= 10, "joinIterations", JoinIterations, "0–10");
        Check(JoinGapShare is >= 0 and <= 10, "joinGapShare", JoinGapShare, "0–10");
        Check(MaxObjectArea > MinArea && MaxObjectArea <= 1, "maxObjectArea", MaxObjectArea, "above minArea and at most 1");
        Check(MinTrackSeconds is >= 0 and <= 30, "minTrackSeconds", MinTrackSeconds, "0–30");
        Check(MinTravelPixels is >= 0 and <= 1000, "minTravelPixels", MinTravelPixels, "0–1000");
        Check(TravelWidthShare is >= 0 and <= 5, "travelWidthShare", TravelWidthShare, "0–5");
        Check(ReturnPixels is >= 0 and <= 1000, "returnPixels", ReturnPixels, "0–1000");
        Check(ReturnShare is >= 0 and <= 1, "returnShare", ReturnShare, "0–1");
        Check(MaxResize is >= 1.1 and <= 100, "maxResize", MaxResize, "1.1–100");
        Check(MaxSizesPerSecond is >= 0 and <= 100, "maxSizesPerSecond", MaxSizesPerSecond, "0–100");
        Check(CourseGapSeconds is >= 0.05 and <= 30, "courseGapSeconds", CourseGapSeconds, "0.05–30");
        Check(FarObjectHeight is >= 0 and <= 1000, "farObjectHeight", FarObjectHeight, "0–1000");
        Check(NearObjectHeight >= FarObjectHeight && NearObjectHeight <= 2000, "nearObjectHeight", NearObjectHeight, "farObjectHeight–2000");
        Check(TrackGapSeconds is >= 0 and <= 30, "trackGapSeconds", TrackGapSeconds, "0–30");
        Check(MinConsecutiveFrames is >= 1 and <= 100, "minConsecutiveFrames", MinConsecutiveFrames, "1–100");
        Check(QuietSeconds is >= 0 and <= 600, "quietSeconds", QuietSeconds, "0–600");
        Check(PersistenceFrames is >= 1 and <= 10, "persistenceFrames", PersistenceFrames, "1–10");
        Check(SignalFaultSeconds is >= 2 and <= 3600, "signalFaultSeconds", SignalFaultSeconds, "2–3600");
        return e;
    }
}
