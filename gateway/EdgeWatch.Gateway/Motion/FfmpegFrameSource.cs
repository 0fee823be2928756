using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Frames from an <c>ffmpeg</c> child process: files, <c>rtsp://</c> and <c>http(s)://</c> (MJPEG) sources. ffmpeg
/// decodes and scales to the detect size (and, for live cameras, the detect frame rate), and writes raw BGR frames
/// to its stdout, which are read straight into one reused <see cref="Mat"/>: no extra copy per frame.
/// </summary>
public sealed class FfmpegFrameSource : IDisposable
{
    private readonly Process _process;
    private readonly Stream _stdout;
    private readonly Mat _frame;
    private readonly int _frameBytes;
    private long _index;

    private FfmpegFrameSource(Process process, int width, int height, double fps)
    {
        _process = process;
        _stdout = process.StandardOutput.BaseStream;
        _frame = new Mat(height, width, MatType.CV_8UC3);
        _frameBytes = width * height * 3;
        Fps = fps;
    }

    /// <summary>Frames per second of the delivered stream.</summary>
    public double Fps { get; }

    /// <summary>CPU time ffmpeg used (the decode cost): read while it runs, or from the kernel's account of reaped children once it has exited.</summary>
    public TimeSpan DecodeCpu
    {
        get
        {
            try
            {
                _process.Refresh();
                if (!_process.HasExited)
                {
                    _lastCpu = _process.TotalProcessorTime;
                    return _lastCpu;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // it has just exited
            }

            _process.WaitForExit(2000);
            var reaped = ChildCpu.Total() - _childCpuAtStart;
            return reaped > _lastCpu ? reaped : _lastCpu;
        }
    }

    private TimeSpan _lastCpu;
    private TimeSpan _childCpuAtStart;

    /// <summary>Opens a source. <paramref name="fps"/> null keeps a file's own frame rate; <paramref name="realtime"/> reads a file at its native pace (a simulated live camera).</summary>
    public static FfmpegFrameSource Open(string input, int width, int height, double? fps = null, string? hwaccel = null, bool realtime = false, string rtspTransport = "tcp")
    {
        if (!input.Contains("://", StringComparison.Ordinal) && !File.Exists(input))
        {
            throw new FileNotFoundException($"no such file: {input}", input);
        }

        var rate = fps ?? ProbeFrameRate(input);
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-hide_banner", "-nostdin", "-loglevel", "error" })
        {
            psi.ArgumentList.Add(a);
        }

        if (hwaccel is not null)
        {
            // A decoder name (h264_v4l2m2m on a Pi) selects that decoder; anything else is an ffmpeg -hwaccel method.
            psi.ArgumentList.Add(hwaccel.Contains('_', StringComparison.Ordinal) ? "-c:v" : "-hwaccel");
            psi.ArgumentList.Add(hwaccel);
        }

        if (input.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase))
        {
            psi.ArgumentList.Add("-rtsp_transport");
            psi.ArgumentList.Add(rtspTransport);
            psi.ArgumentList.Add("-timeout");
            psi.ArgumentList.Add("10000000"); // µs: a silent camera ends the read instead of hanging
        }

        if (realtime)
        {
            psi.ArgumentList.Add("-re");
        }

        psi.ArgumentList.Add("-i");
        psi.ArgumentList.Add(input);
        psi.ArgumentList.Add("-an");
        psi.ArgumentList.Add("-vf");
        psi.ArgumentList.Add(fps is null
            ? string.Create(CultureInfo.InvariantCulture, $"scale={width}:{height}")
            : string.Create(CultureInfo.InvariantCulture, $"fps={fps},scale={width}:{height}"));
        foreach (var a in new[] { "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1" })
        {
            psi.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("ffmpeg did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("ffmpeg is not installed (Debian package ffmpeg)", ex);
        }

        var childCpu = ChildCpu.Total();
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new FfmpegFrameSource(process, width, height, rate) { _childCpuAtStart = childCpu };
    }

    /// <summary>CPU time of all reaped child processes of this process (ffmpeg decoders), for cost accounting.</summary>
    public static TimeSpan ChildrenCpu() => ChildCpu.Total();

    /// <summary>The frame rate of a file's video stream, from ffprobe; fails with a clear message for a non-video file.</summary>
    public static double ProbeFrameRate(string input)
    {
        var psi = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=avg_frame_rate,r_frame_rate", "-of", "json", input })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("ffprobe did not start");
        var json = p.StandardOutput.ReadToEnd();
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        if (p.ExitCode != 0 || !doc.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
        {
            throw new InvalidDataException($"not a readable video: {input}{(string.IsNullOrWhiteSpace(err) ? "" : ": " + err.Trim().Split('\n')[0])}");
        }

        foreach (var key in new[] { "avg_frame_rate", "r_frame_rate" })
        {
            if (streams[0].TryGetProperty(key, out var v) && ParseRate(v.GetString()) is { } rate)
            {
                return rate;
            }
        }

        throw new InvalidDataException($"video has no frame rate: {input}");
    }

    private static double? ParseRate(string? text)
    {
        var parts = (text ?? "").Split('/');
        return parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var n) && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var d) && n > 0 && d > 0
            ? n / d
            : null;
    }

    /// <summary>Reads the next frame into the reused Mat; false at the end of the stream. The Mat stays owned by the source.</summary>
    public bool TryRead(out Mat frame, out double seconds)
    {
        frame = _frame;
        return TryReadInto(_frame, out seconds);
    }

    /// <summary>Reads the next frame straight into <paramref name="target"/> (a BGR Mat of the detect size); false at the end.</summary>
    public unsafe bool TryReadInto(Mat target, out double seconds)
    {
        if (target.Rows * target.Cols * 3 != _frameBytes || target.Type() != MatType.CV_8UC3 || !target.IsContinuous())
        {
            throw new ArgumentException("target must be a continuous BGR Mat of the detect size", nameof(target));
        }

        seconds = _index / Fps;
        var span = new Span<byte>((void*)target.Data, _frameBytes);
        var read = 0;
        while (read < _frameBytes)
        {
            var n = _stdout.Read(span[read..]);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        _index++;
        return true;
    }

    /// <summary>Stops ffmpeg now (from another thread): a pending read returns end of stream.</summary>
    public void Abort()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.WaitForExit(2000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _frame.Dispose();
    }
}

/// <summary>CPU time of this process's terminated and reaped children (getrusage RUSAGE_CHILDREN).</summary>
internal static partial class ChildCpu
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSec, UserUsec, SysSec, SysUsec;
        public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NvCsw, NivCsw;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, out RUsage usage);

    public static TimeSpan Total()
    {
        if (!OperatingSystem.IsLinux() || GetRUsage(-1, out var u) != 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds(u.UserSec + u.SysSec) + TimeSpan.FromMicroseconds(u.UserUsec + u.SysUsec);
    }
}
