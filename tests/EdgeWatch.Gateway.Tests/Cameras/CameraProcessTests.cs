using System.Globalization;
using EdgeWatch.Gateway.Cameras;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Motion;
using EdgeWatch.Protocol;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Cameras;

using EdgeWatch.Gateway.Tests.Motion;

[Trait("Category", "Integration")]
public sealed class CameraProcessTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgewatch-camera-" + Guid.NewGuid().ToString("N"));

    public CameraProcessTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private IHost Gateway(string clip, string armed, bool realtime = false, TimeProvider? time = null)
    {
        var settings = GatewayHost.SimulatedSettings("town", "gw-1", "g1", 1883, Path.Combine(_dir, "state"));
        settings["Mqtt:Enabled"] = "false";
        settings["Cameras:0:Id"] = "cam-1";
        settings["Cameras:0:Url"] = clip;
        settings["Cameras:0:Realtime"] = realtime ? "true" : "false";
        // The walker crosses the lower half: that is the yard.
        var yard = new[] { (0.0, 0.4), (1.0, 0.4), (1.0, 1.0), (0.0, 1.0) };
        for (var i = 0; i < yard.Length; i++)
        {
            settings[$"Cameras:0:Zones:0:Polygon:{i}:0"] = yard[i].Item1.ToString(CultureInfo.InvariantCulture);
            settings[$"Cameras:0:Zones:0:Polygon:{i}:1"] = yard[i].Item2.ToString(CultureInfo.InvariantCulture);
        }

        settings["Cameras:0:Zones:0:Id"] = "yard";
        settings["Cameras:0:Zones:0:Armed:0"] = armed;
        // The neighbour's window, top right, is never analysed nor shown.
        var window = new[] { (0.7, 0.0), (1.0, 0.0), (1.0, 0.3), (0.7, 0.3) };
        for (var i = 0; i < window.Length; i++)
        {
            settings[$"Cameras:0:PrivacyMasks:0:{i}:0"] = window[i].Item1.ToString(CultureInfo.InvariantCulture);
            settings[$"Cameras:0:PrivacyMasks:0:{i}:1"] = window[i].Item2.ToString(CultureInfo.InvariantCulture);
        }

        return GatewayHost.Create([], settings, b => b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning), services =>
        {
            if (time is not null)
            {
                services.AddSingleton(time);
            }
        });
    }

    private static EdgeWatch.Gateway.Cameras.CameraStatus? Camera(CameraProcessSupervisor service) => service.Status.GetValueOrDefault("cam-1");

    private List<(string Kind, byte[] Payload)> MotionLane()
    {
        using var c = new SqliteConnection($"Data Source={Path.Combine(_dir, "state", "outbox.db")};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT kind, payload FROM outbox WHERE lane = 2 ORDER BY pos";
        using var r = cmd.ExecuteReader();
        var list = new List<(string, byte[])>();
        while (r.Read())
        {
            list.Add((r.GetString(0), (byte[])r[1]));
        }

        return list;
    }

    /// <summary>The gateway's clock reads <paramref name="localTime"/> (UTC zone) when the clip starts.</summary>
    [Theory]
    [InlineData("always", "12:00", true)]
    [InlineData("22:00-06:00", "03:10", true)]
    [InlineData("22:00-06:00", "12:00", false)]
    public async Task MotionEventsCarryZonesArmingAndAPrivacyMaskedSnapshot(string armedWindow, string localTime, bool expectArmed)
    {
        var clip = LabelledClips.All(_dir).Single(c => c.Name == "walkers");
        var clock = new EdgeWatch.Testing.ShiftedClock(new DateTimeOffset(new DateOnly(2026, 3, 1), TimeOnly.Parse(localTime, CultureInfo.InvariantCulture), TimeSpan.Zero));
        using var host = Gateway(clip.Path, armedWindow, time: clock);
        await host.StartAsync();
        var service = host.Services.GetRequiredService<CameraProcessSupervisor>();
        Assert.True(SpinWait.SpinUntil(() => Camera(service) is { Finished: true }, TimeSpan.FromSeconds(90)), "the camera process did not analyse the clip to its end");
        await host.StopAsync();

        var lane = MotionLane();
        var events = lane.Where(e => e.Kind == "motion").Select(e => ProtocolJson.DeserializeMotion(e.Payload)).ToList();
        var starts = events.Where(e => e.Phase == "start").ToList();
        Assert.Equal(2, starts.Count); // two walkers, two events
        Assert.Equal(2, events.Count(e => e.Phase == "end"));
        Assert.All(events, e => Assert.Equal("cam-1", e.Camera));
        Assert.All(starts, s => Assert.Contains("yard", s.Zones));
        Assert.All(events, e => Assert.Equal(expectArmed, e.Armed));
        Assert.Equal(expectArmed ? 0 : 2, service.DisarmedMotion);

        var snapshots = lane.Where(e => e.Kind == "snapshot").ToList();
        Assert.Equal(2, snapshots.Count);
        foreach (var (_, jpeg) in snapshots)
        {
            Assert.InRange(jpeg.Length, 1000, WireLimits.MaxSnapshotBytes);
            using var image = Cv2.ImDecode(jpeg, ImreadModes.Color);
            Assert.Equal(640, image.Width);
            using var window = new Mat(image, new Rect(460, 5, 170, 95));
            Assert.True(Cv2.Mean(window).Val0 < 3, "the privacy-masked window must be black in the snapshot");
        }
    }

    [Fact]
    public async Task AFrozenCameraShowsAsATroubleOnItsChannelUntilItsPictureIsBack()
    {
        var clip = FrozenClip.Write(Path.Combine(_dir, "frozen.avi"), 4, 35, 8);
        using var host = Gateway(clip, "always");
        var engine = host.Services.GetRequiredService<EdgeWatch.Gateway.FireSafety.FireSafetyEngine>();
        var troubles = new System.Collections.Concurrent.ConcurrentQueue<FireEvent>();
        engine.Raised += e =>
        {
            if (e.Channel == CameraSignalTroubles.Channel("cam-1"))
            {
                troubles.Enqueue(e);
            }
        };
        await host.StartAsync();
        var service = host.Services.GetRequiredService<CameraProcessSupervisor>();
        Assert.True(SpinWait.SpinUntil(() => Camera(service) is { Finished: true }, TimeSpan.FromSeconds(90)), "the camera process did not analyse the clip to its end");
        await host.StopAsync();

        // Frozen for 35 s (over the 30 s hold), then 8 s of live picture (over the 5 s that clear it).
        Assert.Equal([(FireEventKind.Trouble, "camera-frozen"), (FireEventKind.TroubleCleared, "camera-frozen")], troubles.Select(e => (e.Kind, e.Cause)));
        Assert.DoesNotContain(MotionLane(), e => e.Kind == "motion");
    }

    [Fact]
    public async Task SnapshotCommandPublishesTheNextFrameAndRemoteZonesRestartThePipeline()
    {
        var clip = LabelledClips.All(_dir).Single(c => c.Name == "walkers");
        using var host = Gateway(clip.Path, "always", realtime: true);
        await host.StartAsync();
        var service = host.Services.GetRequiredService<CameraProcessSupervisor>();
        Assert.True(SpinWait.SpinUntil(() => Camera(service) is { Analysed: > 2 }, TimeSpan.FromSeconds(30)), "the camera process analysed no frames");

        var commands = host.Services.GetRequiredService<EdgeWatch.Gateway.Remote.CommandHandler>();
        var result = commands.Handle(CommandNames.Snapshot, new CommandRequest { Camera = "cam-1" });
        Assert.True(result.Accepted, result.Message);
        Assert.True(SpinWait.SpinUntil(() => host.Services.GetRequiredService<EdgeWatch.Gateway.Uplink.Outbox>().Backlog[2] > 0, TimeSpan.FromSeconds(10)), "no snapshot queued");
        Assert.False(commands.Handle(CommandNames.Snapshot, new CommandRequest { Camera = "cam-9" }).Accepted);

        // The cloud sends new zones: the camera restarts with them, and arm/disarm know the new zone.
        var first = Camera(service)!.Generation;
        var report = host.Services.GetRequiredService<EdgeWatch.Gateway.Remote.RemoteConfiguration>().Apply(new DesiredConfig
        {
            Version = 1,
            Cameras = [new CameraConfig { Id = "cam-1", Zones = [new ZoneConfig { Id = "porch", Polygon = [[0, 0], [1, 0], [1, 1], [0, 1]], Armed = ["always"] }] }],
        });
        Assert.True(report.Applied, string.Join("; ", report.Errors));
        Assert.True(SpinWait.SpinUntil(() => Camera(service)?.Generation > first, TimeSpan.FromSeconds(10)), "the camera was not restarted with the new zones");
        Assert.True(commands.Handle(CommandNames.Disarm, new CommandRequest { Camera = "cam-1", Zone = "porch" }).Accepted);
        await host.StopAsync();
    }

    [Fact]
    public async Task MotionEventOnALiveCameraSavesAClipWithPreAndPostSeconds()
    {
        // A live H.264 camera (a keyframe every second) showing the first walker of the labelled clip.
        var walkers = LabelledClips.All(_dir).Single(c => c.Name == "walkers");
        var stream = Path.Combine(_dir, "camera.mp4");
        using (var make = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-y", "-ss", "8", "-i", walkers.Path, "-t", "14", "-c:v", "libx264", "-preset", "ultrafast", "-g", "5", "-an", stream])
            { RedirectStandardError = true })!)
        {
            make.StandardError.ReadToEnd();
            make.WaitForExit();
        }

        using var host = Gateway(stream, "always", realtime: true);
        var config = host.Services.GetRequiredService<IConfiguration>();
        config["Cameras:0:RecordClips"] = "true";
        config["Cameras:0:ClipPreSeconds"] = "1";
        config["Cameras:0:ClipPostSeconds"] = "1";
        await host.StartAsync();
        var service = host.Services.GetRequiredService<CameraProcessSupervisor>();
        Assert.True(SpinWait.SpinUntil(() => !service.Clips.IsEmpty, TimeSpan.FromSeconds(45)), "no clip was saved for the walker");
        var clip = service.Clips.Values.First();
        Assert.True(new FileInfo(clip).Length > 10_000);
        Assert.EndsWith(".ts", clip, StringComparison.Ordinal);
        await host.StopAsync();
    }

    [Fact]
    public void CameraWithAnUnreachableSourceGoesOfflineAndIsReportedOnce()
    {
        var offline = new List<bool>();
        using var pipeline = new CameraPipeline(new CameraSource("cam-x", "rtsp://127.0.0.1:1/none"), MotionSettings.Default) { OfflineAfter = TimeSpan.FromSeconds(1) };
        pipeline.Offline += (_, o) => { lock (offline) { offline.Add(o); } };
        pipeline.Start();
        Assert.True(SpinWait.SpinUntil(() => { lock (offline) { return offline.Count > 0; } }, TimeSpan.FromSeconds(20)), "the camera was never reported offline");

        // A duplicate would come from a later failed attempt's offline check: let two more attempts fail.
        var attempts = pipeline.AttemptsEnded;
        Assert.True(SpinWait.SpinUntil(() => pipeline.AttemptsEnded >= attempts + 2, TimeSpan.FromSeconds(60)), $"the pipeline stopped retrying after {pipeline.AttemptsEnded} attempts");
        lock (offline)
        {
            Assert.Equal([true], offline);
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task MissingNativeOpenCvShowsAsACameraTroubleAndTheSirensStillSound()
    {
        // A copy of the test host's files (copies: the runtime looks for native libraries beside an assembly's real
        // path, so symbolic links would find the original) with the OpenCV native library left out.
        var app = Path.Combine(_dir, "app-without-opencv");
        var native = Path.Combine("runtimes", "linux-x64", "native");
        Directory.CreateDirectory(Path.Combine(app, native));
        var files = Directory.EnumerateFiles(AppContext.BaseDirectory).Concat(Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, native)));
        foreach (var file in files.Where(f => !Path.GetFileName(f).StartsWith("libOpenCvSharpExtern", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(app, Path.GetRelativePath(AppContext.BaseDirectory, file)));
        }

        Assert.Empty(Directory.GetFiles(app, "libOpenCvSharpExtern*", SearchOption.AllDirectories));
        var testHost = Path.GetFileNameWithoutExtension(typeof(CameraProcessTests).Assembly.Location);
        var muxer = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        var command = Path.Combine(_dir, "cameras-without-opencv.sh");
        await File.WriteAllTextAsync(command, $"""
            #!/bin/sh
            exec "{muxer}" exec --runtimeconfig "{app}/{testHost}.runtimeconfig.json" --depsfile "{app}/{testHost}.deps.json" "{app}/EdgeWatch.Gateway.dll" "$@"

            """);
        File.SetUnixFileMode(command, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var settings = GatewayHost.SimulatedSettings("town", "gw-1", "g1", 1883, Path.Combine(_dir, "state"));
        settings["Mqtt:Enabled"] = "false";
        settings["Cameras:0:Id"] = "cam-1";
        settings["Cameras:0:Url"] = Path.Combine(AppContext.BaseDirectory, "missing.avi");
        settings["CameraProcess:Command"] = command;
        using var host = GatewayHost.Create([], settings, b => b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.None));
        await host.StartAsync();
        var supervisor = host.Services.GetRequiredService<CameraProcessSupervisor>();
        var engine = host.Services.GetRequiredService<EdgeWatch.Gateway.FireSafety.FireSafetyEngine>();
        await EdgeWatch.Testing.Eventually.WaitAsync(() => supervisor.LastFailure is not null, TimeSpan.FromSeconds(60), "the camera process's failure");
        Assert.EndsWith("ended before connecting: camera analysis unavailable: the OpenCV native runtime is missing (exit code 3)", supervisor.LastFailure, StringComparison.Ordinal);
        Assert.Contains($"{CameraProcessSupervisor.TroubleCause}@{CameraProcessSupervisor.TroubleChannel}", engine.Troubles);

        // The fire side doesn't notice: a call point sounds every siren of the group.
        var board = host.Services.GetRequiredService<EdgeWatch.Hardware.Simulation.SimulatedBoard>();
        board.Trip("h3.call-point.inside");
        await EdgeWatch.Testing.Eventually.WaitAsync(() => engine.State == EdgeWatch.Gateway.FireSafety.GroupState.Alarm, TimeSpan.FromSeconds(5), "the alarm");
        var sirens = board.Profile.Channels.Where(c => c.Kind == Hardware.Profiles.ChannelKind.Siren).Select(c => c.Id).ToList();
        await EdgeWatch.Testing.Eventually.WaitAsync(() => sirens.All(board.IsOn), TimeSpan.FromSeconds(5), "every siren on at once");

        // It keeps being restarted (with backoff), and keeps failing the same way, without touching the alarm.
        await EdgeWatch.Testing.Eventually.WaitAsync(() => supervisor.ProcessStarts >= 2, TimeSpan.FromSeconds(30), "a restart");
        Assert.Equal(EdgeWatch.Gateway.FireSafety.GroupState.Alarm, engine.State);
        await host.StopAsync();
    }

    [Fact]
    public void BadCameraConfigurationStopsStartNamingTheKey()
    {
        var settings = GatewayHost.SimulatedSettings("town", "gw-1", "g1", 1883, Path.Combine(_dir, "state"));
        settings["Cameras:0:Id"] = "cam-1";
        settings["Cameras:0:Url"] = "rtsp://127.0.0.1/x";
        settings["Cameras:0:Zones:0:Id"] = "yard";
        settings["Cameras:0:Zones:0:Armed:0"] = "late evening";
        using var host = GatewayHost.Create([], settings, b => b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning));
        var ex = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync().GetAwaiter().GetResult());
        Assert.Contains(ex.Failures, f => f.Contains("Cameras:Items:0:Zones:0", StringComparison.Ordinal));
    }
}
