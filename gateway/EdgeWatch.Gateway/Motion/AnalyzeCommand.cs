using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// <c>analyze &lt;video-file&gt; [--settings &lt;json-file&gt;]</c>: runs the production motion pipeline over a file at its
/// own frame rate and prints one JSON line per finished event, then a summary line.
/// </summary>
public static class AnalyzeCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? file = null;
        var settings = MotionSettings.Default;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i] == "--settings")
                {
                    if (i + 1 >= args.Length)
                    {
                        throw new ArgumentException("--settings needs a JSON file");
                    }

                    settings = MotionSettings.Load(args[++i]);
                }
                else if (args[i].StartsWith("--", StringComparison.Ordinal) || file is not null)
                {
                    throw new ArgumentException($"unexpected argument '{args[i]}'; usage: analyze <video-file> [--settings <json-file>]");
                }
                else
                {
                    file = args[i];
                }
            }

            if (file is null)
            {
                throw new ArgumentException("usage: analyze <video-file> [--settings <json-file>]");
            }

            var lines = Analyze(file, settings, out var summary);
            foreach (var line in lines)
            {
                stdout.WriteLine(line);
            }

            stdout.WriteLine(summary);
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or FileNotFoundException or InvalidDataException or InvalidOperationException or IOException)
        {
            stderr.WriteLine($"analyze: {ex.Message.Split('\n')[0]}");
            return 2;
        }
    }

    /// <summary>Analyses a file; returns the event lines and sets the summary line.</summary>
    public static List<string> Analyze(string file, MotionSettings settings, out string summary)
    {
        var lines = new List<string>();
        using var source = FfmpegFrameSource.Open(file, settings.DetectWidth, settings.DetectHeight);
        using var detector = new MotionDetector(settings);
        var tracker = new MotionEventTracker(settings);
        var frames = 0;
        var analyze = new Stopwatch();
        while (source.TryRead(out var frame, out var seconds))
        {
            frames++;
            analyze.Start();
            var motion = detector.Detect(frame, seconds);
            var update = tracker.Add(motion, seconds);
            analyze.Stop();
            if (update is { Phase: "end" })
            {
                lines.Add(EventLine(update));
            }
        }

        if (tracker.Finish() is { } last)
        {
            lines.Add(EventLine(last));
        }

        if (frames == 0)
        {
            throw new InvalidDataException($"no frames could be decoded from {file}");
        }

        var decodeMs = source.DecodeCpu.TotalMilliseconds;
        summary = string.Create(CultureInfo.InvariantCulture,
            $"{{\"kind\":\"summary\",\"frames\":{frames},\"seconds\":{(frames / source.Fps):0.###},\"decode_ms\":{decodeMs:0.###},\"analyze_ms\":{analyze.Elapsed.TotalMilliseconds:0.###}}}");
        return lines;
    }

    private static string EventLine(MotionEventUpdate e)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"kind\":\"motion\",\"start_ms\":{(long)Math.Round(e.StartSeconds * 1000)},\"end_ms\":{(long)Math.Round(e.LastMotionSeconds * 1000)},\"boxes\":[");
        for (var i = 0; i < e.Boxes.Count; i++)
        {
            var b = e.Boxes[i];
            sb.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? "," : "")}[{b.X},{b.Y},{b.Width},{b.Height}]");
        }

        sb.Append(CultureInfo.InvariantCulture, $"],\"peak_area\":{Math.Round(e.PeakArea, 5):0.#####}}}");
        return sb.ToString();
    }
}
