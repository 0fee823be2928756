using System.Collections.Concurrent;
using EdgeWatch.Gateway.Remote;
using EdgeWatch.Protocol;
using EdgeWatch.Gateway.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Runs one <see cref="CameraPipeline"/> per configured camera and turns its motion into protocol events (motion lane,
/// below fire and trouble): start, update (at most every few seconds), end, each with the zones hit and whether they
/// are armed now, and one privacy-masked JPEG snapshot of the busiest frame per event. Offline and online changes are
/// published as <c>camera-offline</c> / <c>camera-online</c>.
/// </summary>
public sealed partial class CameraService(
    IOptions<CamerasOptions> cameras, MotionPublisher publisher, ArmingState arming, RemoteConfiguration remote, TimeProvider time, ILogger<CameraService> logger,
    IOptions<Uplink.UplinkOptions>? uplink = null, IOptions<Hosting.GatewayOptions>? gateway = null) : Hosting.SupervisedService(time, logger)
{
    private readonly ConcurrentDictionary<string, ClipRecorder> _recorders = new();

    /// <summary>Clips saved for motion events (path per event id).</summary>
    public ConcurrentDictionary<Guid, string> Clips { get; } = new();

    /// <summary>Most snapshot bytes published per event (kept well under the wire limit).</summary>
    public const int SnapshotBudget = 200 * 1024;

    private static readonly TimeSpan UpdateEvery = TimeSpan.FromSeconds(5);
    private readonly List<CameraPipeline> _pipelines = [];
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, OpenEvent> _open = new();

    /// <summary>Motion seen in zones that were disarmed at the time: counted, not alerted.</summary>
    public long DisarmedMotion => Interlocked.Read(ref _disarmedMotion);
    private long _disarmedMotion;

    public IReadOnlyList<CameraPipeline> Pipelines
    {
        get
        {
            lock (_gate)
            {
                return [.. _pipelines];
            }
        }
    }

    protected override Task RunAsync(CancellationToken stoppingToken)
    {
        // A restart after a failure starts the cameras that are not running, and subscribes once.
        remote.CamerasChanged -= OnRemoteCameras;
        remote.CamerasChanged += OnRemoteCameras;
        var running = Pipelines.Select(p => p.Source.Id).ToHashSet();
        foreach (var camera in cameras.Value.Items.Where(c => !running.Contains(c.Id)))
        {
            StartCamera(Merge(camera, remote.Cameras));
        }

        return Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Remote settings (zones, schedules, masks, sensitivity) override a local camera's; its source stays local.</summary>
    private static CameraOptions Merge(CameraOptions local, IReadOnlyList<Protocol.CameraConfig> remoteCameras)
    {
        var r = remoteCameras.FirstOrDefault(c => c.Id == local.Id);
        if (r is null)
        {
            return local;
        }

        return new CameraOptions
        {
            Id = local.Id,
            Url = local.Url,
            HwAccel = local.HwAccel,
            Realtime = local.Realtime,
            Sensitivity = r.Sensitivity ?? local.Sensitivity,
            Zones = [.. r.Zones.Select(z => new ZoneOptions { Id = z.Id, Polygon = [.. z.Polygon], Armed = [.. z.Armed], Sensitivity = z.Sensitivity })],
            ExclusionMasks = local.ExclusionMasks,
            PrivacyMasks = [.. local.PrivacyMasks, .. r.PrivacyMasks.Select(m => m.ToList())],
        };
    }

    private void OnRemoteCameras(IReadOnlyList<Protocol.CameraConfig> remoteCameras)
    {
        foreach (var camera in cameras.Value.Items.Where(c => remoteCameras.Any(r => r.Id == c.Id)))
        {
            CameraPipeline? old;
            lock (_gate)
            {
                old = _pipelines.FirstOrDefault(p => p.Source.Id == camera.Id);
                if (old is not null)
                {
                    _pipelines.Remove(old);
                }
            }

            old?.Dispose();
            _open.TryRemove(camera.Id, out _);
            StartCamera(Merge(camera, remoteCameras));
        }
    }

    /// <summary>The zone ids of a locally configured camera, or null when there is no such camera.</summary>
    public IReadOnlyList<string>? ZoneIds(string cameraId) =>
        cameras.Value.Items.FirstOrDefault(c => c.Id == cameraId)?.Zones.Select(z => z.Id).ToList();

    /// <summary>Publishes a snapshot of the camera's next frame on <c>snapshot/{id}</c>; null for an unknown camera.</summary>
    public Guid? RequestSnapshot(string cameraId)
    {
        var pipeline = Pipelines.FirstOrDefault(p => p.Source.Id == cameraId);
        if (pipeline is null)
        {
            return null;
        }

        var id = Guid.CreateVersion7();
        pipeline.RequestSnapshot(frame =>
        {
            try
            {
                publisher.PublishSnapshot(id, Snapshot(frame));
            }
            catch (PayloadTooLargeException ex)
            {
                CameraLog.SnapshotRefused(Logger, cameraId, ex.Message);
            }
        });
        return id;
    }

    private void StartCamera(CameraOptions camera)
    {
        if (camera.RecordClips && uplink is not null && gateway is not null && !_recorders.ContainsKey(camera.Id))
        {
            var dir = Path.Combine(uplink.Value.ResolvedStateDirectory(gateway.Value.Id), "clips");
            _recorders[camera.Id] = new ClipRecorder(camera.Id, camera.Url, dir, camera.Realtime, time: Time);
        }

        var settings = MotionSettings.Default;
        {
            var tuned = settings with
            {
                Threshold = Math.Clamp((int)Math.Round(settings.Threshold * (1.5 - camera.Sensitivity)), 5, 100),
                MinArea = settings.MinArea * (1.5 - camera.Sensitivity),
            };
            var geometry = new CameraGeometry(camera, tuned.DetectWidth, tuned.DetectHeight);
            var pipeline = new CameraPipeline(new CameraSource(camera.Id, camera.Url, camera.HwAccel, camera.Realtime), tuned, geometry.AnalysisMask, geometry.PrivacyMask)
            {
                Filter = motion => geometry.ApplyZoneSensitivity(motion, settings.MinArea),
            };
            pipeline.Motion += (source, update, frame) => OnMotion(camera, geometry, update, frame);
            pipeline.Offline += (source, offline) =>
            {
                CameraLog.Offline(Logger, source.Id, offline);
                publisher.Publish(source.Id, offline ? "camera-offline" : "camera-online", null, [], [], 0, false);
            };
            pipeline.Start();
            lock (_gate)
            {
                _pipelines.Add(pipeline);
            }

            CameraLog.Started(Logger, camera.Id, camera.Zones.Count, camera.PrivacyMasks.Count);
        }
    }

    private void OnMotion(CameraOptions camera, CameraGeometry geometry, MotionEventUpdate update, Mat frame)
    {
        var zones = geometry.ZonesOf(update.Boxes);
        var local = TimeOnly.FromDateTime(Time.GetLocalNow().DateTime);
        var armed = camera.Zones.Count == 0
            ? arming.Override(camera.Id, "*") ?? false
            : camera.Zones.Where(z => zones.Contains(z.Id)).Any(z => ArmingSchedule.IsArmed(z, local, arming.Override(camera.Id, z.Id)));
        int[][] boxes = [.. update.Boxes.Select(b => new[] { b.X, b.Y, b.Width, b.Height })];
        switch (update.Phase)
        {
            case "start":
                var start = publisher.Publish(camera.Id, "start", null, zones, boxes, update.PeakArea, armed);
                if (!armed)
                {
                    Interlocked.Increment(ref _disarmedMotion);
                }

                _open[camera.Id] = new OpenEvent(start.EventId, Time.GetTimestamp(), update.PeakArea, Snapshot(frame)) { StartedLocal = Time.GetLocalNow().DateTime };
                break;
            case "update" when _open.TryGetValue(camera.Id, out var open):
                if (update.PeakArea > open.SnapshotArea && !frame.Empty())
                {
                    open.Snapshot = Snapshot(frame);
                    open.SnapshotArea = update.PeakArea;
                }

                if (Time.GetElapsedTime(open.LastSent) >= UpdateEvery)
                {
                    publisher.Publish(camera.Id, "update", open.EventId, zones, boxes, update.PeakArea, armed);
                    open.LastSent = Time.GetTimestamp();
                }

                break;
            case "end" when _open.TryRemove(camera.Id, out var ended):
                publisher.Publish(camera.Id, "end", ended.EventId, zones, boxes, update.PeakArea, armed);
                if (_recorders.TryGetValue(camera.Id, out var recorder))
                {
                    SaveClip(recorder, camera, ended, Time.GetLocalNow().DateTime - TimeSpan.FromSeconds(MotionSettings.Default.QuietSeconds));
                }

                if (ended.Snapshot is { Length: > 0 } jpeg)
                {
                    try
                    {
                        publisher.PublishSnapshot(ended.EventId, jpeg);
                    }
                    catch (PayloadTooLargeException ex)
                    {
                        CameraLog.SnapshotRefused(Logger, camera.Id, ex.Message);
                    }
                }

                break;
            default:
                break;
        }
    }

    private void SaveClip(ClipRecorder recorder, CameraOptions camera, OpenEvent ended, DateTime endedLocal)
    {
        _ = Task.Run(async () =>
        {
            // Wait until the post-event seconds have been recorded, then join the segments.
            await Task.Delay(TimeSpan.FromSeconds(camera.ClipPostSeconds + recorder.SegmentSeconds), Time).ConfigureAwait(false);
            if (recorder.KeepEvent(ended.EventId, ended.StartedLocal, endedLocal, TimeSpan.FromSeconds(camera.ClipPreSeconds), TimeSpan.FromSeconds(camera.ClipPostSeconds)) is { } path)
            {
                Clips[ended.EventId] = path;
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

    public override void Dispose()
    {
        foreach (var p in Pipelines)
        {
            p.Dispose(); // idempotent: the container may dispose this service twice (two registrations)
        }

        foreach (var r in _recorders.Values)
        {
            r.Dispose();
        }

        _recorders.Clear();

        base.Dispose();
    }

    private sealed class OpenEvent(Guid eventId, long lastSent, double area, byte[] snapshot)
    {
        public Guid EventId { get; } = eventId;
        public long LastSent { get; set; } = lastSent;
        public double SnapshotArea { get; set; } = area;
        public byte[] Snapshot { get; set; } = snapshot;
        public DateTime StartedLocal { get; init; }
    }

    private static partial class CameraLog
    {
        [LoggerMessage(EventId = 7000, Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Camera {Camera} started: {Zones} zones, {PrivacyMasks} privacy masks")]
        public static partial void Started(ILogger logger, string camera, int zones, int privacyMasks);

        [LoggerMessage(EventId = 7001, Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Camera {Camera} offline: {Offline}")]
        public static partial void Offline(ILogger logger, string camera, bool offline);

        [LoggerMessage(EventId = 7002, Level = Microsoft.Extensions.Logging.LogLevel.Error, Message = "Snapshot of camera {Camera} refused: {Reason}")]
        public static partial void SnapshotRefused(ILogger logger, string camera, string reason);
    }
}
