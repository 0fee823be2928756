using System.Collections.Concurrent;
using EdgeWatch.Gateway.Motion;
using EdgeWatch.Gateway.Remote;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>
/// Turns what the camera process saw into protocol events in the motion lane (below fire and trouble): decides
/// whether each motion is in an armed zone now, gives each event its id (the id of its start message), and closes
/// the events left open when the camera process dies.
/// </summary>
public sealed partial class CameraEvents(MotionPublisher publisher, ArmingState arming, TimeProvider time, ILogger<CameraEvents> logger)
{
    private const int RememberedRefs = 256;
    private readonly ConcurrentDictionary<Guid, Guid> _eventIds = new();
    private readonly ConcurrentQueue<Guid> _refOrder = new();
    private readonly ConcurrentDictionary<string, Guid> _open = new();
    private volatile Dictionary<string, CameraOptions> _cameras = [];
    private long _disarmedMotion;

    /// <summary>Clips saved for motion events (path per event id).</summary>
    public ConcurrentDictionary<Guid, string> Clips { get; } = new();

    /// <summary>Motion seen in zones that were disarmed at the time: counted, not alerted.</summary>
    public long DisarmedMotion => Interlocked.Read(ref _disarmedMotion);

    /// <summary>The cameras as last sent to the camera process (local options merged with the cloud's).</summary>
    public void Configure(IReadOnlyList<CameraOptions> cameras) => _cameras = cameras.ToDictionary(c => c.Id);

    public void Handle(CameraLinkMessage message)
    {
        switch (message)
        {
            case MotionMessage m:
                OnMotion(m);
                break;
            case SnapshotMessage s:
                Snapshot(_eventIds.GetValueOrDefault(s.Ref, s.Ref), s.Jpeg);
                break;
            case CameraStateMessage c:
                CameraLog.Offline(logger, c.Camera, c.Offline);
                publisher.Publish(c.Camera, c.Offline ? "camera-offline" : "camera-online", null, [], [], 0, false);
                break;
            case ClipMessage clip:
                Clips[_eventIds.GetValueOrDefault(clip.Ref, clip.Ref)] = clip.Path;
                break;
            default:
                break;
        }
    }

    /// <summary>The camera process is gone: every open motion event ends now, without boxes.</summary>
    public void CloseOpenEvents()
    {
        foreach (var (camera, @ref) in _open.ToArray())
        {
            if (_open.TryRemove(new KeyValuePair<string, Guid>(camera, @ref)))
            {
                publisher.Publish(camera, "end", _eventIds.GetValueOrDefault(@ref, @ref), [], [], 0, Armed(camera, []));
            }
        }
    }

    private void OnMotion(MotionMessage m)
    {
        var armed = Armed(m.Camera, m.Zones);
        if (m.Phase == "start")
        {
            var start = publisher.Publish(m.Camera, "start", null, m.Zones, m.Boxes, m.PeakArea, armed, m.Person);
            Remember(m.Ref, start.EventId);
            _open[m.Camera] = m.Ref;
            if (!armed)
            {
                Interlocked.Increment(ref _disarmedMotion);
            }

            return;
        }

        if (m.Phase == "end")
        {
            _open.TryRemove(m.Camera, out _);
        }

        publisher.Publish(m.Camera, m.Phase, _eventIds.GetValueOrDefault(m.Ref, m.Ref), m.Zones, m.Boxes, m.PeakArea, armed, m.Person);
    }

    private bool Armed(string cameraId, IReadOnlyList<string> zones)
    {
        if (!_cameras.TryGetValue(cameraId, out var camera))
        {
            return false;
        }

        var local = TimeOnly.FromDateTime(time.GetLocalNow().DateTime);
        return camera.Zones.Count == 0
            ? arming.Override(camera.Id, "*") ?? false
            : camera.Zones.Where(z => zones.Contains(z.Id)).Any(z => ArmingSchedule.IsArmed(z, local, arming.Override(camera.Id, z.Id)));
    }

    private void Snapshot(Guid eventId, byte[] jpeg)
    {
        if (jpeg.Length == 0)
        {
            return;
        }

        try
        {
            publisher.PublishSnapshot(eventId, jpeg);
        }
        catch (PayloadTooLargeException ex)
        {
            CameraLog.SnapshotRefused(logger, eventId, ex.Message);
        }
    }

    private void Remember(Guid @ref, Guid eventId)
    {
        _eventIds[@ref] = eventId;
        _refOrder.Enqueue(@ref);
        while (_refOrder.Count > RememberedRefs && _refOrder.TryDequeue(out var old))
        {
            _eventIds.TryRemove(old, out _);
        }
    }

    private static partial class CameraLog
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Camera {Camera} offline: {Offline}")]
        public static partial void Offline(ILogger logger, string camera, bool offline);

        [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Snapshot for {EventId} refused: {Reason}")]
        public static partial void SnapshotRefused(ILogger logger, Guid eventId, string reason);
    }
}
