using System.Diagnostics;
using System.Globalization;

namespace EdgeWatch.Testing;

/// <summary>Facts about a clip from Debian's ffprobe, so that tests expect what the clip holds, not a remembered number.</summary>
public static class Ffprobe
{
    /// <summary>Video frames in the clip, counted by decoding it (<c>-count_frames</c>).</summary>
    public static int CountFrames(string path) =>
        int.Parse(Run(path, "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames"), CultureInfo.InvariantCulture);

    /// <summary>The clip's duration.</summary>
    public static TimeSpan Duration(string path) =>
        TimeSpan.FromSeconds(double.Parse(Run(path, "-show_entries", "format=duration"), CultureInfo.InvariantCulture));

    private static string Run(string path, params string[] args)
    {
        var psi = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-v", "error", .. args, "-of", "csv=p=0", path])
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start ffprobe (Debian's ffmpeg package; ./test.sh installs it)");
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"ffprobe {path} failed: {error.Trim()}");
    }
}
