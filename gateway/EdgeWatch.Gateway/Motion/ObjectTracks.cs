using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>A moving blob followed from frame to frame, in detect-resolution pixels and seconds of the scene.</summary>
public sealed class ObjectTrack
{
    public required Rect Box { get; set; }
    public required Point2d Origin { get; init; }
    public required double FirstSeen { get; init; }
    public double LastSeen { get; set; }
    public Point2d Centre => new(Box.X + (Box.Width / 2.0), Box.Y + (Box.Height / 2.0));
    /// <summary>How far the track is now from where it started.</summary>
    public double Travel => Math.Sqrt(Math.Pow(Centre.X - Origin.X, 2) + Math.Pow(Centre.Y - Origin.Y, 2));
    /// <summary>It passed every filter once; it stays an object until it is lost.</summary>
    public bool Confirmed { get; set; }
}

/// <summary>
/// Follows blobs across frames and keeps only those that behave like an intruder, the way Axis Video Motion
/// Detection 4 filters objects (every threshold in seconds and scene pixels, so 5 fps and 10 fps behave alike):
/// <list type="bullet">
/// <item><b>short-lived objects</b>: a track younger than <see cref="MotionSettings.MinTrackSeconds"/> does not count
/// (an insect darting past the lens, a flicker);</item>
/// <item><b>swaying objects</b>: a track that has not moved <see cref="MotionSettings.MinTravelPixels"/> (plus half its
/// own width) from where it started does not count (branches, flags, a spider on its thread, the ghost a parked
/// object leaves);</item>
/// <item><b>small objects</b>: a box shorter than the perspective's size at its height does not count, from
/// <see cref="MotionSettings.FarObjectHeight"/> at the top of the picture to <see cref="MotionSettings.NearObjectHeight"/>
/// at the bottom, so a distant walker still counts and near noise does not.</item>
/// </list>
/// A track survives <see cref="MotionSettings.TrackGapSeconds"/> without a blob (a walker behind a post).
/// </summary>
public sealed class ObjectTracks(MotionSettings settings)
{
    private readonly List<ObjectTrack> _tracks = [];

    public IReadOnlyList<ObjectTrack> Tracks => _tracks;

    /// <summary>Forgets every track (after a recalibration or a signal fault).</summary>
    public void Clear() => _tracks.Clear();

    /// <summary>The smallest box height that counts with its bottom edge at <paramref name="bottom"/>.</summary>
    public double MinHeightAt(double bottom) =>
        settings.FarObjectHeight + ((settings.NearObjectHeight - settings.FarObjectHeight) * Math.Clamp(bottom / settings.DetectHeight, 0, 1));

    /// <summary>Feeds one frame's blobs; returns the confirmed tracks seen in this frame.</summary>
    public List<ObjectTrack> Update(IReadOnlyList<Rect> blobs, double seconds)
    {
        var taken = new HashSet<ObjectTrack>();
        foreach (var blob in blobs.OrderByDescending(b => b.Width * b.Height))
        {
            var grown = new Rect(blob.X - 8, blob.Y - 8, blob.Width + 16, blob.Height + 16);
            ObjectTrack? best = null;
            foreach (var t in _tracks)
            {
                if (!taken.Contains(t) && (t.Box & grown) is { Width: > 0, Height: > 0 }
                    && (best is null || t.Confirmed && !best.Confirmed || t.Confirmed == best.Confirmed && t.FirstSeen < best.FirstSeen))
                {
                    best = t;
                }
            }

            if (best is null)
            {
                best = new ObjectTrack { Box = blob, Origin = new Point2d(blob.X + (blob.Width / 2.0), blob.Y + (blob.Height / 2.0)), FirstSeen = seconds };
                _tracks.Add(best);
            }

            best.Box = blob;
            best.LastSeen = seconds;
            taken.Add(best);
        }

        _tracks.RemoveAll(t => seconds - t.LastSeen > settings.TrackGapSeconds);
        var seen = new List<ObjectTrack>();
        foreach (var t in taken)
        {
            t.Confirmed |= seconds - t.FirstSeen >= settings.MinTrackSeconds
                && t.Travel >= settings.MinTravelPixels + (t.Box.Width / 2.0)
                && t.Box.Height >= MinHeightAt(t.Box.Bottom);
            if (t.Confirmed)
            {
                seen.Add(t);
            }
        }

        return seen;
    }
}
