using System.Diagnostics;
using System.Globalization;

namespace EdgeWatch.Testing.Motion;

/// <summary>
/// A clip as a camera streams it: H.264 (x264) at a constant quality <c>crf</c>, a key frame every 2 s and no
/// B-frames, as IP cameras send their substream. Compression smooths sensor noise, repeats still blocks exactly and
/// moves soft edges in block steps: what the generated (MJPEG) clips don't show.
/// </summary>
public static class CameraCompression
{
    /// <summary>The clip compressed into <paramref name="dir"/> (made once, then reused), with the same labels.</summary>
    public static MotionClip Compress(MotionClip clip, string dir, int crf)
    {
        Directory.CreateDirectory(dir);
        var path = System.IO.Path.Combine(dir, System.IO.Path.GetFileNameWithoutExtension(clip.Path) + ".mp4");
        if (!File.Exists(path))
        {
            var partial = path + ".part.mp4";
            var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[]
            {
                "-nostdin", "-loglevel", "error", "-y", "-i", clip.Path, "-c:v", "libx264", "-preset", "veryfast",
                "-crf", crf.ToString(CultureInfo.InvariantCulture), "-force_key_frames", "expr:gte(t,n_forced*2)", "-bf", "0",
                "-pix_fmt", "yuv420p", "-threads", "1", partial,
            })
            {
                info.ArgumentList.Add(a);
            }

            using var ffmpeg = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start");
            var error = ffmpeg.StandardError.ReadToEnd();
            ffmpeg.WaitForExit();
            if (ffmpeg.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg could not compress {clip.Path}: {error.Trim()}");
            }

            File.Move(partial, path);
        }

        return clip with { Path = path };
    }
}
