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

    /// <summary>Background learning rate per frame while the scene is quiet.</summary>
    public double BackgroundAlpha { get; init; } = 0.05;

    /// <summary>Smallest moving area, as a share of the frame, that counts (a small, distant walker is about 0.0005).</summary>
    public double MinArea { get; init; } = 0.0004;

    /// <summary>A share of changed pixels at or above this is a global light change (lights, IR switch, headlights), not motion.</summary>
    public double LightChangeFraction { get; init; } = 0.30;

    /// <summary>A jump of the whole frame's mean brightness by this share (lights on or off, the IR switch) recalibrates.</summary>
    public double BrightnessJump { get; init; } = 0.15;

    /// <summary>Longest time detection may stay in recalibration; after it, changes count as motion again.</summary>
    public double RecalibrationDeadlineSeconds { get; init; } = 10;

    /// <summary>Blobs larger than this share of the frame (near-lens insects, headlight glare) must persist before they count.</summary>
    public double LargeBlobArea { get; init; } = 0.08;

    /// <summary>Seconds a large blob must persist, moving coherently, before it counts (a vehicle does, an insect does not).</summary>
    public double LargeBlobMinSeconds { get; init; } = 1.0;

    /// <summary>Consecutive motion frames needed to start an event.</summary>
    public int MinConsecutiveFrames { get; init; } = 3;

    /// <summary>Seconds without motion that end an event.</summary>
    public double QuietSeconds { get; init; } = 5;

    /// <summary>Frames that must all show change at a pixel (temporal persistence: rejects rain, snow and sensor noise).</summary>
    public int PersistenceFrames { get; init; } = 2;

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
        Check(BackgroundAlpha is > 0 and < 1, "backgroundAlpha", BackgroundAlpha, "between 0 and 1");
        Check(MinArea is > 0 and < 0.5, "minArea", MinArea, "between 0 and 0.5");
        Check(LightChangeFraction is > 0.05 and <= 1, "lightChangeFraction", LightChangeFraction, "above 0.05 and at most 1");
        Check(BrightnessJump is > 0.02 and <= 1, "brightnessJump", BrightnessJump, "above 0.02 and at most 1");
        Check(RecalibrationDeadlineSeconds is >= 1 and <= 600, "recalibrationDeadlineSeconds", RecalibrationDeadlineSeconds, "1–600");
        Check(LargeBlobArea > MinArea && LargeBlobArea <= 1, "largeBlobArea", LargeBlobArea, "above minArea and at most 1");
        Check(LargeBlobMinSeconds is >= 0 and <= 30, "largeBlobMinSeconds", LargeBlobMinSeconds, "0–30");
        Check(MinConsecutiveFrames is >= 1 and <= 100, "minConsecutiveFrames", MinConsecutiveFrames, "1–100");
        Check(QuietSeconds is >= 0 and <= 600, "quietSeconds", QuietSeconds, "0–600");
        Check(PersistenceFrames is >= 1 and <= 10, "persistenceFrames", PersistenceFrames, "1–10");
        return e;
    }
}
