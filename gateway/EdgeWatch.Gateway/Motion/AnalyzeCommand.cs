using System.Globalization;
using System.Text;

using EdgeWatch.Gateway.Cameras;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// <c>analyze &lt;video-file&gt; [--settings &lt;json-file&gt;] [--person]</c>: runs the production motion pipeline over a file,
/// in a camera process as the gateway runs it, frame by frame and prints one JSON line per finished event, then a
/// summary line. With <c>--person</c> each event's start is checked for a person and its line says <c>"person"</c>.
/// </summary>
public static class AnalyzeCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? file = null;
        var settings = MotionSettings.Default;
        var person = false;
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
                else if (args[i] == "--person")
                {
                    person = true;
                }
                else if (args[i].StartsWith("--", StringComparison.Ordinal) || file is not null)
                {
                    throw new ArgumentException($"unexpected argument '{args[i]}'; usage: analyze <video-file> [--settings <json-file>] [--person]");
                }
                else
                {
                    file = args[i];
                }
            }

            if (file is null)
            {
                throw new ArgumentException("usage: analyze <video-file> [--settings <json-file>] [--person]");
            }

            var lines = Analyze(file, settings, out var summary, person);
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

    /// <summary>
    /// Analyses a file in a camera process, exactly as the gateway runs its cameras (<see cref="CameraProcessConnection"/>):
    /// returns the event lines and sets the summary line.
    /// </summary>
    public static List<string> Analyze(string file, MotionSettings settings, out string summary, bool person = false)
    {
        (var lines, summary) = AnalyzeAsync(file, settings, person).GetAwaiter().GetResult();
        return lines;
    }

    private static async Task<(List<string> Lines, string Summary)> AnalyzeAsync(string file, MotionSettings settings, bool person)
    {
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"no such file: {file}", file);
        }

        _ = FfmpegFrameSource.ProbeFrameRate(file); // a clear error for a file that is not a video, before any process starts
        var dir = Path.Combine(Path.GetTempPath(), $"edgewatch-analyze-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            await using var cameras = await CameraProcessConnection.StartAsync(Path.Combine(dir, "cameras.sock"), null, TimeSpan.FromSeconds(30), TimeProvider.System).ConfigureAwait(false);
            await cameras.Link.SendAsync(new ConfigureMessage([new CameraOptions { Id = "file", Url = Path.GetFullPath(file), PersonCheck = person }], Path.Combine(dir, "clips"), settings), default).ConfigureAwait(false);
            var lines = new List<string>();
            CameraStatus? done = null;
            while (done is null)
            {
                using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // it reports every second
                switch (await cameras.Link.ReceiveAsync(quiet.Token).ConfigureAwait(false))
                {
                    case null:
                        throw new InvalidOperationException($"the camera process ended before the file was analysed: {await cameras.EndedAsync().ConfigureAwait(false)}");
                    case MotionMessage { Phase: "end" } end:
                        lines.Add(EventLine(end));
                        break;
                    case CameraSignalMessage { On: true } trouble:
                        lines.Add(string.Create(CultureInfo.InvariantCulture,
                            $"{{\"kind\":\"trouble\",\"cause\":\"{CameraSignalTroubles.Cause(trouble.Fault)}\",\"at_ms\":{(long)Math.Round(trouble.Seconds * 1000)}}}"));
                        break;
                    case StatusMessage { Cameras: [{ Finished: true } finished, ..] }:
                        done = finished;
                        break;
                    default:
                        break;
                }
            }

            if (done.Frames == 0)
            {
                throw new InvalidDataException($"no frames could be decoded from {file}");
            }

            var summary = string.Create(CultureInfo.InvariantCulture,
                $"{{\"kind\":\"summary\",\"frames\":{done.Frames},\"seconds\":{(done.Frames / done.Fps):0.###},\"decode_ms\":{done.DecodeMs:0.###},\"analyze_ms\":{done.AnalyseMs:0.###},\"detector_ms\":{{\"mean\":{done.DetectorMeanMs:0.###},\"p95\":{done.DetectorP95Ms:0.###}}}}}");
            return (lines, summary);
        }
        catch (CameraProcessFailedException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static string EventLine(MotionMessage e)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"kind\":\"motion\",\"start_ms\":{(long)Math.Round(e.StartSeconds * 1000)},\"end_ms\":{(long)Math.Round(e.LastMotionSeconds * 1000)},\"boxes\":[");
        for (var i = 0; i < e.Boxes.Count; i++)
        {
            var b = e.Boxes[i];
            sb.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? "," : "")}[{b[0]},{b[1]},{b[2]},{b[3]}]");
        }

        sb.Append(CultureInfo.InvariantCulture, $"],\"peak_area\":{Math.Round(e.PeakArea, 5):0.#####}");
        if (e.Person is { } person)
        {
            sb.Append(person ? ",\"person\":true" : ",\"person\":false"); // only where the check ran
        }

        sb.Append('}');
        return sb.ToString();
    }
}
