using EdgeWatch.Gateway.Motion;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>A local camera with the cloud's settings for it.</summary>
public static class CameraMerge
{
    /// <summary>Remote settings (zones, schedules, masks, sensitivity) override a local camera's; its source stays local.</summary>
    public static CameraOptions WithRemote(CameraOptions local, IReadOnlyList<Protocol.CameraConfig> remoteCameras)
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
            RecordClips = local.RecordClips,
            ClipPreSeconds = local.ClipPreSeconds,
            ClipPostSeconds = local.ClipPostSeconds,
            Sensitivity = r.Sensitivity ?? local.Sensitivity,
            Zones = [.. r.Zones.Select(z => new ZoneOptions { Id = z.Id, Polygon = [.. z.Polygon], Armed = [.. z.Armed], Sensitivity = z.Sensitivity })],
            ExclusionMasks = local.ExclusionMasks,
            PrivacyMasks = [.. local.PrivacyMasks, .. r.PrivacyMasks.Select(m => m.ToList())],
        };
    }
}
