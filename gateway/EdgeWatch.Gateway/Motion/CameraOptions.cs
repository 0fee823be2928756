using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Motion;

/// <summary>Cameras this gateway analyses (section <c>Cameras</c>, a list). Polygons are [x, y] points in 0–1 frame coordinates.</summary>
public sealed class CamerasOptions
{
    public const string Section = "Cameras";
    public List<CameraOptions> Items { get; set; } = [];
}

public sealed class CameraOptions
{
    public string Id { get; set; } = "";

    /// <summary><c>rtsp://…</c>, <c>http(s)://…</c> (MJPEG) or a file path.</summary>
    public string Url { get; set; } = "";

    /// <summary>Hardware decoding: a decoder such as <c>h264_v4l2m2m</c> (Pi), or an ffmpeg <c>-hwaccel</c> method such as <c>drm</c> or <c>vaapi</c>; null decodes in software.</summary>
    public string? HwAccel { get; set; }

    /// <summary>Read a file at its own pace, as if it were a live camera (the demo's sample video).</summary>
    public bool Realtime { get; set; }

    /// <summary>Keep stream-copied segments and save a clip per motion event (pre- and post-event seconds).</summary>
    public bool RecordClips { get; set; }

    public double ClipPreSeconds { get; set; } = 5;
    public double ClipPostSeconds { get; set; } = 5;

    /// <summary>0–1: higher finds smaller and fainter motion (scales the threshold and minimum area).</summary>
    public double Sensitivity { get; set; } = 0.5;

    public List<ZoneOptions> Zones { get; set; } = [];

    /// <summary>
    /// Check each event's start for a person (OpenCV's HOG people detector on the moving boxes) and say so on the
    /// event. Off by default: on the evaluation set it ruled out no false alarm and missed most small or entering
    /// people (gateway/README). A zone that requires a person runs the check whatever this says.
    /// </summary>
    public bool PersonCheck { get; set; }

    /// <summary>Areas where motion never counts (a road, a tree).</summary>
    public List<List<double[]>> ExclusionMasks { get; set; } = [];

    /// <summary>Areas blacked out before analysis and in every snapshot (a neighbour's window).</summary>
    public List<List<double[]>> PrivacyMasks { get; set; } = [];
}

public sealed class ZoneOptions
{
    public string Id { get; set; } = "";
    public List<double[]> Polygon { get; set; } = [];

    /// <summary>0–1, overrides the camera's sensitivity inside this zone (higher finds smaller motion).</summary>
    public double? Sensitivity { get; set; }

    /// <summary>
    /// Motion counts in this zone only when the person check found a person at the event's start; when the check could
    /// not run (boxes too small), it counts, so a fault never silences a zone.
    /// </summary>
    public bool RequirePerson { get; set; }

    /// <summary>Armed windows in the gateway's local time: "always" or "HH:mm-HH:mm" (may span midnight). Empty: never armed unless armed by command.</summary>
    public List<string> Armed { get; set; } = [];
}

public sealed partial class CamerasOptionsValidator : IValidateOptions<CamerasOptions>
{
    [GeneratedRegex(@"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")]
    private static partial Regex Window();

    public ValidateOptionsResult Validate(string? name, CamerasOptions o)
    {
        var errors = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < o.Items.Count; i++)
        {
            var c = o.Items[i];
            var key = $"{CamerasOptions.Section}:Items:{i}";
            if (string.IsNullOrWhiteSpace(c.Id) || !ids.Add(c.Id))
            {
                errors.Add($"{key}:Id '{c.Id}' is empty or repeated");
            }

            if (string.IsNullOrWhiteSpace(c.Url))
            {
                errors.Add($"{key}:Url is required");
            }

            if (c.ClipPreSeconds is < 0 or > 60 || c.ClipPostSeconds is < 0 or > 60)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:ClipPreSeconds and ClipPostSeconds must be 0–60 (were {c.ClipPreSeconds}, {c.ClipPostSeconds})"));
            }

            if (c.Sensitivity is < 0 or > 1 || double.IsNaN(c.Sensitivity))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:Sensitivity must be 0–1 (was {c.Sensitivity})"));
            }

            for (var z = 0; z < c.Zones.Count; z++)
            {
                CheckPolygon(c.Zones[z].Polygon, $"{key}:Zones:{z}:Polygon", errors);
                if (c.Zones[z].Sensitivity is { } zs && (zs is < 0 or > 1 || double.IsNaN(zs)))
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}:Zones:{z}:Sensitivity must be 0–1 (was {zs})"));
                }

                errors.AddRange(c.Zones[z].Armed.Where(w => w != "always" && !Window().IsMatch(w)).Select(w => $"{key}:Zones:{z}:Armed '{w}' is not \"always\" or \"HH:mm-HH:mm\""));
            }

            for (var m = 0; m < c.ExclusionMasks.Count; m++)
            {
                CheckPolygon(c.ExclusionMasks[m], $"{key}:ExclusionMasks:{m}", errors);
            }

            for (var m = 0; m < c.PrivacyMasks.Count; m++)
            {
                CheckPolygon(c.PrivacyMasks[m], $"{key}:PrivacyMasks:{m}", errors);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckPolygon(List<double[]> polygon, string key, List<string> errors)
    {
        if (polygon.Count < 3 || polygon.Any(p => p.Length != 2 || p.Any(v => v is < 0 or > 1 || double.IsNaN(v))))
        {
            errors.Add($"{key} needs at least 3 points [x, y] with 0 ≤ x, y ≤ 1");
        }
    }
}
