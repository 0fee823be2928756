using System.Diagnostics;
using System.Globalization;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Keeps the last minutes of a camera as short stream-copied segments (ffmpeg <c>-c copy</c>, MPEG-TS, no re-encoding)
/// and, for a motion event, joins the segments covering its pre- and post-event seconds into one clip on local disk.
/// Segments older than <see cref="SegmentRetention"/> are deleted; clips are deleted oldest first beyond
/// <see cref="ClipBudgetBytes"/>.
/// </summary>
public sealed class ClipRecorder : IDisposable
{
    private const string Stamp = "yyyyMMdd-HHmmss";
    private readonly string _segments;
    private readonly string _clips;
    private readonly Process _ffmpeg;
    private readonly ITimer _cleanup;
    private readonly TimeProvider _time;

    /// <remarks>Segment names come from ffmpeg's local clock; <paramref name="time"/> must be the same wall clock (it is injected for retention and tests).</remarks>
    public ClipRecorder(string cameraId, string url, string directory, bool realtime = false, int segmentSeconds = 2, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        SegmentSeconds = segmentSeconds;
        _segments = Path.Combine(directory, cameraId, "segments");
        _clips = Path.Combine(directory, cameraId, "clips");
        Directory.CreateDirectory(_segments);
        Directory.CreateDirectory(_clips);
        var psi = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error" };
        if (realtime)
        {
            args.AddRange(["-re", "-stream_loop", "-1"]);
        }

        if (url.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase))
        {
            args.AddRange(["-rtsp_transport", "tcp"]);
        }

        args.AddRange(["-i", url, "-map", "0:v:0", "-c", "copy", "-f", "segment", "-segment_time", segmentSeconds.ToString(CultureInfo.InvariantCulture),
            "-segment_format", "mpegts", "-reset_timestamps", "1", "-strftime", "1", Path.Combine(_segments, "%Y%m%d-%H%M%S.ts")]);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        _ffmpeg = Process.Start(psi) ?? throw new InvalidOperationException("ffmpeg did not start");
        _ffmpeg.BeginErrorReadLine();
        _ffmpeg.BeginOutputReadLine();
        _cleanup = _time.CreateTimer(_ => Cleanup(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
    }

    public int SegmentSeconds { get; }
    public TimeSpan SegmentRetention { get; init; } = TimeSpan.FromMinutes(2);
    public long ClipBudgetBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Segments on disk, oldest first, with their start time (local clock, from the file name).</summary>
    public IReadOnlyList<(string Path, DateTime Start)> Segments() =>
        [.. Directory.GetFiles(_segments, "*.ts")
            .Select(p => (p, DateTime.TryParseExact(Path.GetFileNameWithoutExtension(p), Stamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : DateTime.MinValue))
            .Where(s => s.Item2 != DateTime.MinValue)
            .OrderBy(s => s.Item2)];

    /// <summary>Joins the segments covering [start − pre, end + post] (local times) into <c>clips/{eventId}.ts</c>; null when none cover it.</summary>
    public string? KeepEvent(Guid eventId, DateTime start, DateTime end, TimeSpan pre, TimeSpan post)
    {
        var from = start - pre;
        var to = end + post;
        var parts = Segments().Where(s => s.Start <= to && s.Start.AddSeconds(SegmentSeconds + 1) >= from).Select(s => s.Path).ToList();
        if (parts.Count == 0)
        {
            return null;
        }

        var list = Path.Combine(_clips, $"{eventId:N}.txt");
        File.WriteAllLines(list, parts.Select(p => $"file '{p.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        var clip = Path.Combine(_clips, $"{eventId:D}.ts");
        var psi = new ProcessStartInfo("ffmpeg") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy", clip })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        File.Delete(list);
        Cleanup();
        return p.ExitCode == 0 && File.Exists(clip) ? clip : null;
    }

    private void Cleanup()
    {
        try
        {
            var cutoff = _time.GetLocalNow().DateTime - SegmentRetention;
            var segments = Segments();
            foreach (var (path, start) in segments.Take(Math.Max(0, segments.Count - 2)).Where(s => s.Start < cutoff))
            {
                File.Delete(path);
            }

            var clips = new DirectoryInfo(_clips).GetFiles("*.ts").OrderByDescending(f => f.CreationTimeUtc).ToList();
            long total = 0;
            foreach (var f in clips)
            {
                total += f.Length;
                if (total > ClipBudgetBytes)
                {
                    f.Delete();
                }
            }
        }
        catch (IOException)
        {
            // a segment being written: next round
        }
    }

    public void Dispose()
    {
        _cleanup.Dispose();
        try
        {
            if (!_ffmpeg.HasExited)
            {
                _ffmpeg.Kill();
            }

            _ffmpeg.WaitForExit(2000);
        }
        catch (InvalidOperationException)
        {
        }

        _ffmpeg.Dispose();
    }
}
