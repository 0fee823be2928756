using System.Collections.Concurrent;
using System.Text.Json;
using EdgeWatch.Gateway.Cameras;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// The camera process's work: one <see cref="CameraPipeline"/> per camera, each motion event told to the gateway as
/// start, update (at most every few seconds) and end with the zones hit, one privacy-masked JPEG of the busiest frame
/// per event, offline and online changes, and clips. Arming, event ids and the outbox belong to the gateway.
/// </summary>
public sealed partial class CameraAnalysis(Action<CameraLinkMessage> tell, string clipsDirectory, TimeProvider time, ILogger logger) : IDisposable
{
    /// <summary>Most snapshot bytes published per event (kept well under the wire limit).</summary>
    public const int SnapshotBudget = 200 * 1024;

    private static readonly TimeSpan UpdateEvery = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Running> _running = [];
    private readonly ConcurrentDictionary<string, OpenEvent> _open = new();
    private readonly ConcurrentDictionary<string, ClipRecorder> _recorders = new();
    private readonly ConcurrentDictionary<string, PersonCheck> _personChecks = new();
    private readonly ConcurrentDictionary<string, SignalChange> _signalFaults = new();
    private MotionSettings _settings = MotionSettings.Default;

    /// <summary>Runs exactly <paramref name="cameras"/>: starts new ones, restarts changed ones, stops removed ones.</summary>
    public void Apply(IReadOnlyList<CameraOptions> cameras, MotionSettings? settings = null)
    {
        _settings = settings ?? MotionSettings.Default;
        var stop = new List<CameraPipeline>();
        var start = new List<(CameraOptions Camera, int Generation)>();
        lock (_gate)
        {
            foreach (var id in _running.Keys.Where(id => cameras.All(c => c.Id != id)).ToList())
            {
                stop.Add(_running[id].Pipeline);
                _running.Remove(id);
            }

            foreach (var camera in cameras)
            {
                var json = Fingerprint(camera);
                if (_running.TryGetValue(camera.Id, out var current))
                {
                    if (current.Json == json)
                    {
                        continue;
                    }

                    stop.Add(current.Pipeline);
                }

                start.Add((camera, (current?.Generation ?? 0) + 1));
            }
        }

        foreach (var pipeline in stop)
        {
            _open.TryRemove(pipeline.Source.Id, out _);
            pipeline.Dispose();
            if (_signalFaults.TryRemove(pipeline.Source.Id, out var fault))
            {
                tell(new CameraSignalMessage(pipeline.Source.Id, fault.Fault, false, fault.Seconds)); // a stopped or changed camera is looked at afresh
            }
        }

        foreach (var (camera, generation) in start)
        {
            var pipeline = StartCamera(camera);
            lock (_gate)
            {
                _running[camera.Id] = new Running(pipeline, Fingerprint(camera), generation);
            }
        }
    }

    /// <summary>What a pipeline was started with: a change restarts it.</summary>
    private string Fingerprint(CameraOptions camera) => JsonSerializer.Serialize(camera) + JsonSerializer.Serialize(_settings);

    /// <summary>Every camera's counters now.</summary>
    public IReadOnlyList<CameraStatus> Status()
    {
        lock (_gate)
        {
            return [.. _running.Select(r => new CameraStatus(r.Key, r.Value.Pipeline.Frames, r.Value.Pipeline.Analysed, r.Value.Pipeline.Dropped, r.Value.Pipeline.WaitFinished(TimeSpan.Zero), r.Value.Generation,
                r.Value.Pipeline.Fps, r.Value.Pipeline.AnalyseTime.TotalMilliseconds, r.Value.Pipeline.DecodeCpu.TotalMilliseconds,
                r.Value.Pipeline.DetectorTimes.MeanMs, r.Value.Pipeline.DetectorTimes.PercentileMs(0.95)))];
        }
    }

    /// <summary>Sends a snapshot of the camera's next analysed frame under <paramref name="id"/>; false for an unknown camera.</summary>
    public bool RequestSnapshot(string cameraId, Guid id)
    {
        CameraPipeline? pipeline;
        lock (_gate)
        {
            pipeline = _running.GetValueOrDefault(cameraId)?.Pipeline;
        }

        pipeline?.RequestSnapshot(frame => tell(new SnapshotMessage(id, Snapshot(frame))));
        return pipeline is not null;
    }

    private CameraPipeline StartCamera(CameraOptions camera)
    {
        if (camera.RecordClips && !_recorders.ContainsKey(camera.Id))
        {
            _recorders[camera.Id] = new ClipRecorder(camera.Id, camera.Url, clipsDirectory, camera.Realtime, time: time);
        }

        var settings = _settings;
        var tuned = settings with
        {
            Threshold = Math.Clamp((int)Math.Round(settings.Threshold * (1.5 - camera.Sensitivity)), 5, 100),
            MinArea = settings.MinArea * (1.5 - camera.Sensitivity),
            ChromaThreshold = settings.ChromaThreshold == 0 ? 0 : Math.Clamp(settings.ChromaThreshold * (1.5 - camera.Sensitivity), 5, 200),
        };
        var geometry = new CameraGeometry(camera, tuned.DetectWidth, tuned.DetectHeight);
        if (camera.PersonCheck || camera.Zones.Any(z => z.RequirePerson))
        {
            _personChecks.GetOrAdd(camera.Id, _ => new PersonCheck());
        }

        var pipeline = new CameraPipeline(new CameraSource(camera.Id, camera.Url, camera.HwAccel, camera.Realtime), tuned, geometry.AnalysisMask, geometry.PrivacyMask)
        {
            Filter = motion => geometry.ApplyZoneSensitivity(motion, settings.MinArea),
        };
        pipeline.Motion += (_, update, frame) => OnMotion(camera, geometry, update, frame);
        pipeline.Offline += (source, offline) => tell(new CameraStateMessage(source.Id, offline));
        pipeline.SignalFault += (source, change) =>
        {
            if (change.On)
            {
                _signalFaults[source.Id] = change;
            }
            else
            {
                _signalFaults.TryRemove(source.Id, out _);
            }

            tell(new CameraSignalMessage(source.Id, change.Fault, change.On, change.Seconds));
        };
        pipeline.Start();
        CameraLog.Started(logger, camera.Id, camera.Zones.Count, camera.PrivacyMasks.Count);
        return pipeline;
    }

    private void OnMotion(CameraOptions camera, CameraGeometry geometry, MotionEventUpdate update, Mat frame)
    {
        int[][] boxes = [.. update.Boxes.Select(b => new[] { b.X, b.Y, b.Width, b.Height })];
        switch (update.Phase)
        {
            case "start":
                // The person check runs here only: on the moving boxes, once, when an event starts.
                var person = _personChecks.TryGetValue(camera.Id, out var check) && !frame.Empty() ? check.Check(frame, update.Boxes) : null;
                var started = new OpenEvent(Guid.CreateVersion7(), time.GetTimestamp(), update.PeakArea, Snapshot(frame)) { StartedLocal = time.GetLocalNow().DateTime, Person = person };
                _open[camera.Id] = started;
                tell(new MotionMessage(camera.Id, "start", started.Ref, Zones(camera, geometry, update, person), boxes, update.PeakArea, update.StartSeconds, update.LastMotionSeconds, person));
                break;
            case "update" when _open.TryGetValue(camera.Id, out var open):
                if (update.PeakArea > open.SnapshotArea && !frame.Empty())
                {
                    open.Snapshot = Snapshot(frame);
                    open.SnapshotArea = update.PeakArea;
                }

                if (time.GetElapsedTime(open.LastSent) >= UpdateEvery)
                {
                    tell(new MotionMessage(camera.Id, "update", open.Ref, Zones(camera, geometry, update, open.Person), boxes, update.PeakArea, update.StartSeconds, update.LastMotionSeconds, open.Person));
                    open.LastSent = time.GetTimestamp();
                }

                break;
            case "end" when _open.TryRemove(camera.Id, out var ended):
                tell(new MotionMessage(camera.Id, "end", ended.Ref, Zones(camera, geometry, update, ended.Person), boxes, update.PeakArea, update.StartSeconds, update.LastMotionSeconds, ended.Person));
                if (_recorders.TryGetValue(camera.Id, out var recorder))
                {
                    SaveClip(recorder, camera, ended, time.GetLocalNow().DateTime - TimeSpan.FromSeconds(_settings.QuietSeconds));
                }

                if (ended.Snapshot is { Length: > 0 } jpeg)
                {
                    tell(new SnapshotMessage(ended.Ref, jpeg));
                }

                break;
            default:
                break;
        }
    }

    /// <summary>The zones the event's boxes are in, less those that require a person when the check found none.</summary>
    internal static IReadOnlyList<string> Zones(CameraOptions camera, CameraGeometry geometry, MotionEventUpdate update, bool? person)
    {
        var zones = geometry.ZonesOf(update.Boxes);
        return person is false ? [.. zones.Where(id => camera.Zones.FirstOrDefault(z => z.Id == id) is not { RequirePerson: true })] : zones;
    }

    private void SaveClip(ClipRecorder recorder, CameraOptions camera, OpenEvent ended, DateTime endedLocal)
    {
        _ = Task.Run(async () =>
        {
            // Wait until the post-event seconds have been recorded, then join the segments.
            await Task.Delay(TimeSpan.FromSeconds(camera.ClipPostSeconds + recorder.SegmentSeconds), time).ConfigureAwait(false);
            if (recorder.KeepEvent(ended.Ref, ended.StartedLocal, endedLocal, TimeSpan.FromSeconds(camera.ClipPreSeconds), TimeSpan.FromSeconds(camera.ClipPostSeconds)) is { } path)
            {
                tell(new ClipMessage(ended.Ref, path));
            }
        });
    }

    /// <summary>JPEG of a (privacy-masked) frame, smaller until it fits the budget.</summary>
    public static byte[] Snapshot(Mat frame)
    {
        if (frame.Empty())
        {
            return [];
        }

        foreach (var quality in new[] { 85, 70, 55, 40 })
        {
            var jpeg = frame.ImEncode(".jpg", [(int)ImwriteFlags.JpegQuality, quality]);
            if (jpeg.Length <= SnapshotBudget)
            {
                return jpeg;
            }
        }

        using var half = new Mat();
        Cv2.Resize(frame, half, new Size(frame.Width / 2, frame.Height / 2), 0, 0, InterpolationFlags.Area);
        return half.ImEncode(".jpg", [(int)ImwriteFlags.JpegQuality, 60]);
    }

    public void Dispose()
    {
        List<CameraPipeline> pipelines;
        lock (_gate)
        {
            pipelines = [.. _running.Values.Select(r => r.Pipeline)];
            _running.Clear();
        }

        foreach (var p in pipelines)
        {
            p.Dispose();
        }

        foreach (var r in _recorders.Values)
        {
            r.Dispose();
        }

        _recorders.Clear();
        foreach (var c in _personChecks.Values)
        {
            c.Dispose();
        }

        _personChecks.Clear();
    }

    private sealed record Running(CameraPipeline Pipeline, string Json, int Generation);

    private sealed class OpenEvent(Guid @ref, long lastSent, double area, byte[] snapshot)
    {
        public Guid Ref { get; } = @ref;
        public long LastSent { get; set; } = lastSent;
        public double SnapshotArea { get; set; } = area;
        public byte[] Snapshot { get; set; } = snapshot;
        public DateTime StartedLocal { get; init; }
        public bool? Person { get; init; }
    }

    private static partial class CameraLog
    {
        [LoggerMessage(EventId = 7000, Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Camera {Camera} started: {Zones} zones, {PrivacyMasks} privacy masks")]
        public static partial void Started(ILogger logger, string camera, int zones, int privacyMasks);
    }
}
