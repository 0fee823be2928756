using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>A moving blob followed from frame to frame, in detect-resolution pixels and seconds of the scene.</summary>
public sealed class ObjectTrack
{
    public required Rect Box { get; set; }
    public required Point2d Origin { get; init; }
    public required double FirstSeen { get; init; }

    /// <summary>Where the track's current outward run began, and when (reset when it turns back: a sway).</summary>
    public Point2d Anchor { get; set; }
    public double AnchorSeen { get; set; }

    /// <summary>The box's area when its run began (followed while it is cut by the picture's edge).</summary>
    public double AnchorArea { get; set; }

    /// <summary>The farthest the track has got from <see cref="Anchor"/>.</summary>
    public double Reach { get; set; }

    /// <summary>Its velocity between its last two course checks, in pixels a second: a car keeps its speed, a hop between leaves doesn't.</summary>
    public Point2d Velocity { get; set; }
    public double LastSeen { get; set; }

    /// <summary>Its box at its last course check, and when: the course is checked every <see cref="ObjectTracks.CheckSeconds"/>, not every frame.</summary>
    public Rect CheckBox { get; set; }
    public double CheckSeen { get; set; }
    public Point2d Centre => ObjectTracks.CentreOf(Box);
    /// <summary>How far the track is now from where it started.</summary>
    public double Travel => Math.Sqrt(Math.Pow(Centre.X - Origin.X, 2) + Math.Pow(Centre.Y - Origin.Y, 2));
    /// <summary>It passed every filter once; it stays an object until it is lost.</summary>
    public bool Confirmed { get; set; }
}

/// <summary>
/// Follows blobs across frames and keeps only those that behave like an intruder, the way Axis Video Motion
/// Detection 4 filters objects (every threshold in seconds and scene pixels, so 5 fps and 10 fps behave alike):
/// <list type="bullet">
/// <item><b>short-lived objects</b>: a track must keep going for <see cref="MotionSettings.MinTrackSeconds"/> before it
/// counts (an insect darting past the lens, a flicker);</item>
/// <item><b>swaying objects</b>: it must get <see cref="MotionSettings.MinTravelPixels"/> (plus
/// <see cref="MotionSettings.TravelWidthShare"/> of its width) away from where its run began, and a run starts again
/// whenever the track turns back (by <see cref="MotionSettings.ReturnPixels"/> or <see cref="MotionSettings.ReturnShare"/>
/// of its reach), steps off its course by more than <see cref="MotionSettings.MaxSizesPerSecond"/> of its size a second, or grows or shrinks by <see cref="MotionSettings.MaxResize"/> times in
/// size away from the picture's edge: branches in a gust, a spider on its thread and an insect's zigzag go out and
/// come back, or hop between blobs; a walker, however slow, keeps going;</item>
/// <item><b>small objects</b>: a box shorter than the perspective's size at its height (or, if wider, half as wide:
/// <see cref="Stature"/>) does not count, from
/// <see cref="MotionSettings.FarObjectHeight"/> at the top of the picture to <see cref="MotionSettings.NearObjectHeight"/>
/// at the bottom, so a distant walker still counts and near noise does not.</item>
/// </list>
/// A track survives <see cref="MotionSettings.TrackGapSeconds"/> without a blob (a walker behind a post). Once it has
/// passed the filters it stays an object until it is lost, so a walker who stops is still one.
/// </summary>
public sealed class ObjectTracks(MotionSettings settings)
{
    private readonly List<ObjectTrack> _tracks = [];

    /// <summary>
    /// Over a whole run a box may grow or shrink this many times <see cref="MotionSettings.MaxResize"/> before the run
    /// starts again: more than from frame to frame, because an object that was there during a recalibration leaves its
    /// ghost in the background, and its box stretches from the ghost to where it walks until the two part.
    /// </summary>
    private const double RunResizeShare = 1.5;

    /// <summary>
    /// The course, the turn back and the resizing are judged between checks at least this far apart, whatever the frame
    /// rate: a blob's outline jitters by the same pixels at any rate, while an object's step shrinks with the frame
    /// time. Judged frame by frame at 10 fps, a fast plain car whose blob flickers between its windows and its wheels
    /// seemed to turn back and hop; at 5 fps (the live rate) every frame is a check, as before.
    /// </summary>
    public const double CheckSeconds = 0.15;

    /// <summary>
    /// From frame to frame a blob's centre may jitter off its course by this share of its size, however close the
    /// frames are (at 5 fps the course allows more: <see cref="MotionSettings.MaxSizesPerSecond"/> × 0.2 s). The fast
    /// plain car's box jitters by up to 0.42 of its size; an insect at the lens darts 0.58 of its own in a tenth of a
    /// second.
    /// </summary>
    private const double JitterShare = 0.5;

    public IReadOnlyList<ObjectTrack> Tracks => _tracks;

    /// <summary>Forgets every track (after a recalibration or a signal fault).</summary>
    public void Clear() => _tracks.Clear();

    /// <summary>The smallest box height that counts with its bottom edge at <paramref name="bottom"/>.</summary>
    public double MinHeightAt(double bottom) =>
        settings.FarObjectHeight + ((settings.NearObjectHeight - settings.FarObjectHeight) * Math.Clamp(bottom / settings.DetectHeight, 0, 1));

    /// <summary>
    /// A box's size for the small-object filter: its height, or half its width if that is more. A person stands taller
    /// than wide; a car from the side is wider than tall, and when its body matches the road only its windows show, a
    /// strip half a person's height.
    /// </summary>
    public static double Stature(Rect box) => Math.Max(box.Height, box.Width / 2.0);

    /// <summary>Whether a box touches the picture's edge (an object coming in or going out shows only in part).</summary>
    private bool AtEdge(Rect box) =>
        box.X <= 4 || box.Y <= 4 || box.Right >= settings.DetectWidth - 4 || box.Bottom >= settings.DetectHeight - 4;

    /// <summary>
    /// One object can show as several blobs side by side (a plain car whose middle matches the road: its front and
    /// its back): blobs of about the same height (within a quarter), level with each other (overlapping by 70 %), and
    /// closer than <see cref="MotionSettings.JoinGapShare"/> of that height are taken as one. Leaves of a crown differ
    /// in size and level, and stay apart.
    /// </summary>
    private List<Rect> Join(IReadOnlyList<Rect> blobs)
    {
        var joined = blobs.ToList();
        if (settings.JoinGapShare <= 0)
        {
            return joined;
        }

        for (var merged = true; merged;)
        {
            merged = false;
            for (var i = 0; i < joined.Count && !merged; i++)
            {
                for (var j = i + 1; j < joined.Count && !merged; j++)
                {
                    var (a, b) = (joined[i], joined[j]);
                    var overlap = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);
                    var gap = Math.Max(a.Left, b.Left) - Math.Min(a.Right, b.Right);
                    var height = Math.Min(a.Height, b.Height);
                    if (height >= 0.75 * Math.Max(a.Height, b.Height) && overlap >= 0.7 * height && gap <= settings.JoinGapShare * height)
                    {
                        joined[i] = a | b;
                        joined.RemoveAt(j);
                        merged = true;
                    }
                }
            }
        }

        return joined;
    }

    /// <summary>Feeds one frame's blobs; returns the confirmed tracks seen in this frame.</summary>
    public List<ObjectTrack> Update(IReadOnlyList<Rect> blobs, double seconds)
    {
        var taken = new HashSet<ObjectTrack>();
        foreach (var blob in Join(blobs).OrderByDescending(b => b.Width * b.Height))
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
                taken.Add(Start(blob, seconds));
                continue;
            }

            taken.Add(best);
            Follow(best, blob, seconds);
            best.LastSeen = seconds;
        }

        _tracks.RemoveAll(t => seconds - t.LastSeen > settings.TrackGapSeconds);
        var seen = new List<ObjectTrack>();
        foreach (var t in taken)
        {
            t.Confirmed |= seconds - t.AnchorSeen >= settings.MinTrackSeconds
                && t.Reach >= settings.MinTravelPixels + (settings.TravelWidthShare * t.Box.Width)
                && Stature(t.Box) >= MinHeightAt(t.Box.Bottom);
            if (t.Confirmed)
            {
                seen.Add(t);
            }
        }

        return seen;
    }

    private ObjectTrack Start(Rect blob, double seconds)
    {
        var origin = CentreOf(blob);
        var track = new ObjectTrack
        {
            Box = blob, Origin = origin, FirstSeen = seconds, Anchor = origin, AnchorSeen = seconds, AnchorArea = blob.Width * (double)blob.Height,
            CheckBox = blob, CheckSeen = seconds, LastSeen = seconds,
        };
        _tracks.Add(track);
        return track;
    }

    /// <summary>
    /// Moves a track to this frame's blob, and starts its run again if it swayed or hopped.
    /// A sway goes out and comes back within a second or so; a walker keeps going. When the track turns back by more
    /// than the return allowance, its outward run starts again from there. An object moves smoothly and keeps its
    /// size: a step off its course by more than MaxSizesPerSecond of its size a second, or a box that grows or shrinks
    /// past MaxResize, is the track hopping to another blob (leaves of a crown in a gust, a blob that split or merged,
    /// an insect's dart), and its run starts again too. A fast car keeps its course; a hop between leaves doesn't.
    /// </summary>
    private void Follow(ObjectTrack best, Rect blob, double seconds)
    {
        var last = best.Box;
        best.Box = blob;
        var dt = Math.Max(0.05, seconds - best.LastSeen);

        // Each frame: the step off the course (the velocity of the last check), allowing a blob's outline to jitter by
        // JitterShare of its size however close the frames are; and unseen for a while, an object has moved on along
        // its course, but may not come back far off it.
        var from = CentreOf(last);
        var moved = new Point2d(best.Centre.X - from.X, best.Centre.Y - from.Y);
        var step = Math.Sqrt(Math.Pow(moved.X - (best.Velocity.X * dt), 2) + Math.Pow(moved.Y - (best.Velocity.Y * dt), 2));
        var allowance = Math.Max(JitterShare, settings.MaxSizesPerSecond * Math.Min(dt, settings.CourseGapSeconds)) * Math.Max(last.Width, last.Height);
        var grew = (blob.Width * (double)blob.Height) / Math.Max(1, last.Width * (double)last.Height);
        var resized = (grew > settings.MaxResize || grew < 1 / settings.MaxResize) && !AtEdge(blob) && !AtEdge(last); // entering or leaving the picture, it may
        var hopped = settings.MaxSizesPerSecond > 0 && (step > allowance || resized);
        if (hopped || seconds - best.CheckSeen >= CheckSeconds)
        {
            Check(best, hopped, seconds);
        }
    }

    /// <summary>
    /// Every <see cref="CheckSeconds"/> (and when it hopped): the track's velocity, how far its run has reached, whether
    /// it turned back, and whether its box has grown or shrunk too far over the run.
    /// </summary>
    private void Check(ObjectTrack best, bool hopped, double seconds)
    {
        var blob = best.Box;
        var dt = Math.Max(0.05, seconds - best.CheckSeen);
        var since = CentreOf(best.CheckBox);
        best.Velocity = new Point2d((best.Centre.X - since.X) / dt, (best.Centre.Y - since.Y) / dt);
        (best.CheckBox, best.CheckSeen) = (blob, seconds);
        var reach = Math.Sqrt(Math.Pow(best.Centre.X - best.Anchor.X, 2) + Math.Pow(best.Centre.Y - best.Anchor.Y, 2));

        // Over its whole run too (by RunResizeShare times as much): a walker's box keeps its size for a second or
        // two, while the blobs of a blurred insect hovering at the lens swell and shrink as it goes (step by step
        // each within MaxResize).
        var area = blob.Width * (double)blob.Height;
        if (AtEdge(blob))
        {
            best.AnchorArea = area; // coming in, it grows as it shows
        }
        else if (area > RunResizeShare * settings.MaxResize * best.AnchorArea || area * RunResizeShare * settings.MaxResize < best.AnchorArea)
        {
            hopped = settings.MaxSizesPerSecond > 0;
        }

        if (hopped)
        {
            (best.Anchor, best.AnchorSeen, best.Reach, best.AnchorArea) = (best.Centre, seconds, 0, area);
        }
        else if (reach >= best.Reach)
        {
            best.Reach = reach;
        }
        else if (settings.ReturnPixels > 0 && best.Reach - reach > Math.Max(settings.ReturnPixels, settings.ReturnShare * best.Reach))
        {
            (best.Anchor, best.AnchorSeen, best.Reach, best.AnchorArea) = (best.Centre, seconds, 0, area);
        }
    }

    internal static Point2d CentreOf(Rect box) => new(box.X + (box.Width / 2.0), box.Y + (box.Height / 2.0));
}
