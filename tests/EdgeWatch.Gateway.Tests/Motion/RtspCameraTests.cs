using EdgeWatch.Gateway.Motion;
using EdgeWatch.Testing;

namespace EdgeWatch.Gateway.Tests.Motion;

/// <summary>A real RTSP camera: Debian's rtsp-server-perl fed by ffmpeg with the opencv-doc pedestrian clip.</summary>
[Trait("Category", "Integration")]
public class RtspCameraTests
{
    [Fact]
    public async Task RtspCameraDeliversMotionGoesOfflineWhenSilentAndComesBack()
    {
        var clip = Repo.Sample("vtest.avi");
        using var server = new RtspServer(clip);
        await server.StartPublishingAsync();

        var offline = new List<bool>();
        var starts = 0;
        using var camera = new CameraPipeline(new CameraSource("cam-rtsp", server.Url), MotionSettings.Default) { OfflineAfter = TimeSpan.FromSeconds(3), StallTimeout = TimeSpan.FromSeconds(5) };
        camera.Offline += (_, o) => { lock (offline) { offline.Add(o); } };
        camera.Motion += (_, u, _) => { if (u.Phase == "start") { Interlocked.Increment(ref starts); } };
        camera.Start();

        await Eventually.WaitAsync(() => camera.Frames >= 15, TimeSpan.FromSeconds(60), "frames over RTSP");
        await Eventually.WaitAsync(() => Volatile.Read(ref starts) > 0, TimeSpan.FromSeconds(30), "motion from the pedestrians");

        server.StopPublishing();
        await Eventually.WaitAsync(() => { lock (offline) { return offline.Contains(true); } }, TimeSpan.FromSeconds(30), "camera-offline");

        await server.StartPublishingAsync();
        await Eventually.WaitAsync(() => { lock (offline) { return offline.Count >= 2; } }, TimeSpan.FromSeconds(90), "camera-online");
        lock (offline)
        {
            Assert.Equal([true, false], offline.Take(2));
        }
    }
}
