using EdgeWatch.Gateway.Motion;
using EdgeWatch.Testing;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

[Trait("Category", "Integration")]
public sealed class CameraPipelineTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("edgewatch-pipeline-");

    public void Dispose() => _dir.Delete(true);

    /// <summary>A walker crossing a noisy street for <paramref name="seconds"/> at 10 fps.</summary>
    private string WalkerClip(double seconds)
    {
        var path = Path.Combine(_dir.FullName, "walker.avi");
        using var writer = new VideoWriter(path, FourCC.MJPG, 10, new Size(640, 360));
        Assert.True(writer.IsOpened(), "OpenCV cannot write MJPG .avi here");
        using var street = new Mat(360, 640, MatType.CV_8UC3, new Scalar(90, 100, 110));
        using var noise = new Mat(street.Size(), MatType.CV_8UC3);
        using var frame = new Mat();
        Cv2.SetTheRNG(11);
        for (var i = 0; i < seconds * 10; i++)
        {
            Cv2.Randu(noise, Scalar.All(0), Scalar.All(6));
            Cv2.Add(street, noise, frame);
            Cv2.Rectangle(frame, new Rect(60 + (i * 12), 160, 30, 80), new Scalar(30, 30, 40), -1);
            writer.Write(frame);
        }

        return path;
    }

    [Fact]
    public async Task AStreamThatStartsAgainKeepsItsClockSoTheOpenEventEndsAndANewOneStartsAfterIt()
    {
        // A looped recording read in real time: at its end ffmpeg starts again and counts frames from zero, as after
        // any reconnect of a live camera. The walker is in view until the very end, so an event is open then.
        const double Seconds = 4.5;
        var updates = new List<MotionEventUpdate>();
        using var camera = new CameraPipeline(new CameraSource("cam-loop", WalkerClip(Seconds), Realtime: true), MotionSettings.Default with { DetectFps = 10 });
        camera.Motion += (_, u, _) =>
        {
            lock (updates)
            {
                updates.Add(u);
            }
        };
        camera.Start();

        string Seen()
        {
            lock (updates)
            {
                return string.Join(", ", updates.Where(u => u.Phase != "update").Select(u => FormattableString.Invariant($"{u.Phase} {u.StartSeconds:0.0}–{u.LastMotionSeconds:0.0}")));
            }
        }

        await Eventually.WaitAsync(() => { lock (updates) { return updates.Any(u => u.Phase == "start" && u.StartSeconds > Seconds); } }, TimeSpan.FromSeconds(30), "an event in the second loop, timed after the first", Seen);
        lock (updates)
        {
            var first = updates.First(u => u.Phase == "start");
            Assert.Contains(updates, u => u.Phase == "end" && u.StartSeconds == first.StartSeconds); // the first loop's event ended
            Assert.All(updates.Skip(1).Zip(updates), p => Assert.True(p.First.LastMotionSeconds >= p.Second.LastMotionSeconds - 1e-9, $"stream time went back: {Seen()}"));
        }
    }
}
