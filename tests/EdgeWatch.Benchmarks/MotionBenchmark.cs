using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeWatch.Gateway.Motion;
using OpenCvSharp;

namespace EdgeWatch.Benchmarks;

/// <summary>
/// Camera motion cost on an H.264 640×360 15 fps clip (a typical substream) made with Debian's ffmpeg from the
/// opencv-doc pedestrian video, detecting at 5 fps. Measured in the same run: decode-only cost per delivered frame
/// (ffmpeg's CPU, the floor), detection-only cost per frame (this process's CPU on decoded frames), and 8 cameras at
/// once for 60 s of video in real time: CPU seconds of everything (this process and the ffmpeg children), peak RSS,
/// and frames dropped by the bounded pipelines.
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

        // 3. Eight cameras at once, in real time, through the production pipeline.
        var selfCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var childCpu0 = ChildCpuTime();
        var wall = Stopwatch.StartNew();
        var pipelines = Enumerable.Range(1, cameras)
            .Select(i => new CameraPipeline(new CameraSource($"cam-{i}", clip, Realtime: true), settings))
            .ToList();
        var events = 0;
        foreach (var p in pipelines)
        {
            p.Motion += (_, u, _) => { if (u.Phase == "start") { Interlocked.Increment(ref events); } };
            p.Start();
        }

        double rssMb = 0;
        for (var t = 0; t < seconds + 1; t++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            rssMb = Math.Max(rssMb, RssMb()); // this process while the eight pipelines run
        }

        foreach (var p in pipelines)
        {
            p.Dispose();
        }

        var elapsed = wall.Elapsed.TotalSeconds;
        await Task.Delay(500); // let ffmpeg children be reaped
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - selfCpu0).TotalSeconds + (ChildCpuTime() - childCpu0).TotalSeconds;
        var delivered = pipelines.Sum(p => p.Frames);
        var dropped = pipelines.Sum(p => p.Dropped);

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

    private static double RssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
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
