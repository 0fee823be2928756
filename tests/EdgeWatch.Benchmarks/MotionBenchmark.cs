using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeWatch.Gateway.Cameras;
using EdgeWatch.Gateway.Motion;
using OpenCvSharp;

namespace EdgeWatch.Benchmarks;

/// <summary>
/// Camera motion cost on an H.264 640×360 15 fps clip (a typical substream) made with Debian's ffmpeg from the
/// opencv-doc pedestrian video, detecting at 5 fps. Measured in the same run: decode-only cost per delivered frame
/// (ffmpeg's CPU, the floor), detection-only cost per frame (this process's CPU on decoded frames), and 8 cameras at
/// once for 60 s of video in real time in one camera process, as the gateway runs it: CPU seconds of the camera
/// process and its ffmpeg readers, the camera process's peak RSS, and frames dropped by the bounded pipelines.
/// </summary>
internal static class MotionBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var cameras = 8;
        var seconds = 60;
        string source;
        try
        {
            source = EdgeWatch.Testing.Repo.Sample("vtest.avi");
        }
        catch (FileNotFoundException ex)
        {
            await Console.Error.WriteLineAsync($"motion: {ex.Message}");
            return 2;
        }

        var dir = Path.Combine(Path.GetTempPath(), $"edgewatch-motion-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var clip = Path.Combine(dir, "substream.mp4");
        Run("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", source, "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "-vf", "scale=640:360,fps=15", "-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p", "-an", clip);
        Cv2.SetNumThreads(1); // one analysis thread per camera; OpenCV's own pool would oversubscribe a Pi
        var settings = MotionSettings.Default;

        // 1. Decode only: ffmpeg delivering 5 fps at 640×360 from the 15 fps H.264 stream, nothing analysed.
        var (decodeMs, decodedFrames) = DecodeOnly(clip, settings);
        var decodePerFrame = decodeMs / decodedFrames;
        Console.Error.WriteLine($"motion: decode only {decodedFrames} frames, {decodePerFrame:0.000} ms CPU per frame");

        // 2. Detection only, on frames decoded beforehand.
        var frames = new List<Mat>();
        using (var src = FfmpegFrameSource.Open(clip, settings.DetectWidth, settings.DetectHeight, settings.DetectFps))
        {
            while (frames.Count < 60 && src.TryRead(out var f, out _))
            {
                frames.Add(f.Clone()); // 12 s of video, analysed five times over
            }
        }

        double analyzePerFrame;
        using (var detector = new MotionDetector(settings))
        {
            var tracker = new MotionEventTracker(settings);
            for (var i = 0; i < 20; i++)
            {
                detector.Detect(frames[i], i / settings.DetectFps); // warm-up
            }

            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var n = 0;
            for (var pass = 0; pass < 5; pass++)
            {
                for (var i = 0; i < frames.Count; i++, n++)
                {
                    var t = (n + 20) / settings.DetectFps;
                    tracker.Add(detector.Detect(frames[i], t), t);
                }
            }

            analyzePerFrame = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / n;
        }

        foreach (var f in frames)
        {
            f.Dispose();
        }

        frames.Clear();
        GC.Collect();
        Console.Error.WriteLine($"motion: detection only {analyzePerFrame:0.000} ms CPU per frame");

        // 3. Eight cameras at once, in real time, in a camera process exactly as the gateway runs it.
        var socket = Path.Combine(dir, "cameras.sock");
        await using var camerasProcess = await CameraProcessConnection.StartAsync(socket, null, TimeSpan.FromSeconds(30), TimeProvider.System);
        var pid = camerasProcess.Process.Id;
        var treeCpu0 = ProcessTreeCpu(pid);
        var wall = Stopwatch.StartNew();
        List<CameraOptions> eight = [.. Enumerable.Range(1, cameras).Select(i => new CameraOptions { Id = $"cam-{i}", Url = clip, Realtime = true })];
        await camerasProcess.Link.SendAsync(new ConfigureMessage(eight, Path.Combine(dir, "clips")), default);
        var events = 0;
        IReadOnlyList<CameraStatus> status = [];
        var pump = Task.Run(async () =>
        {
            while (await camerasProcess.Link.ReceiveAsync(default) is { } message)
            {
                switch (message)
                {
                    case MotionMessage { Phase: "start" }:
                        Interlocked.Increment(ref events);
                        break;
                    case StatusMessage s:
                        Volatile.Write(ref status, s.Cameras);
                        break;
                }
            }
        });

        double rssMb = 0;
        for (var t = 0; t < seconds + 1; t++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            rssMb = Math.Max(rssMb, RssMb(pid)); // the camera process while its eight pipelines run
        }

        // Stop the cameras (the camera process reaps its ffmpeg readers), then read the whole tree's CPU.
        var final = Volatile.Read(ref status);
        await camerasProcess.Link.SendAsync(new ConfigureMessage([], Path.Combine(dir, "clips")), default);
        await Task.Delay(1500);
        var elapsed = wall.Elapsed.TotalSeconds;
        var cpu = (ProcessTreeCpu(pid) - treeCpu0).TotalSeconds;
        var delivered = final.Sum(c => c.Frames);
        var dropped = final.Sum(c => c.Dropped);
        if (pump.IsFaulted)
        {
            throw new InvalidOperationException("the camera link failed", pump.Exception);
        }

        var result = new
        {
            bench = "motion",
            decode_ms_per_frame = Math.Round(decodePerFrame, 3),
            analyze_ms_per_frame = Math.Round(analyzePerFrame, 3),
            analyze_to_decode = Math.Round(analyzePerFrame / decodePerFrame, 3),
            cameras,
            cpu_share_of_one_core = Math.Round(cpu / elapsed, 3),
            rss_mb = Math.Round(rssMb, 1),
            dropped,
            cpu_seconds = Math.Round(cpu, 2),
            frames_delivered = delivered,
            motion_events = events,
            targets_met = analyzePerFrame / decodePerFrame <= 0.25 && cpu / elapsed <= 0.25 && dropped == 0 && rssMb <= 300,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        Directory.Delete(dir, true);
        return 0;
    }

    private static (double CpuMs, int Frames) DecodeOnly(string clip, MotionSettings s)
    {
        var before = ChildCpuTime();
        var n = 0;
        using (var src = FfmpegFrameSource.Open(clip, s.DetectWidth, s.DetectHeight, s.DetectFps))
        {
            while (src.TryRead(out _, out _))
            {
                n++;
            }
        }

        Thread.Sleep(300);
        return ((ChildCpuTime() - before).TotalMilliseconds, n);
    }

    private static TimeSpan ChildCpuTime() => EdgeWatch.Gateway.Motion.FfmpegFrameSource.ChildrenCpu();

    /// <summary>CPU time of a process and of its children it has reaped (utime, stime, cutime, cstime at 100 ticks/s).</summary>
    private static TimeSpan ProcessTreeCpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static double RssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    private static void Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed: {err}");
        }
    }
}
