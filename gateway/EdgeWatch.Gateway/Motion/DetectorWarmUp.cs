using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Runs a throwaway detector over a few drawn frames, once per process, before the first camera's analysis starts.
/// Compiling the detector's code takes some 80 ms of CPU; done here, it is not charged to a camera's first frames
/// (an event at start is analysed as fast as any other) nor to <c>detector_ms</c>, which measures the detector.
/// </summary>
internal static class DetectorWarmUp
{
    private static readonly Lock Gate = new();
    private static bool _done;

    public static void Run(MotionSettings settings)
    {
        lock (Gate)
        {
            if (_done)
            {
                return;
            }

            using var detector = new MotionDetector(settings);
            using var frame = new Mat(settings.DetectHeight, settings.DetectWidth, MatType.CV_8UC3);
            using var noise = new Mat(frame.Size(), MatType.CV_8UC3);
            for (var i = 0; i < 5; i++)
            {
                // A still scene with sensor noise (a flat or repeated frame is a fault, and would skip the analysis)
                // and an object walking across it, so every stage runs: blobs, persistence, soft edges, tracks.
                frame.SetTo(new Scalar(90, 110, 100));
                Cv2.Randu(noise, Scalar.All(0), Scalar.All(6));
                Cv2.Add(frame, noise, frame);
                Cv2.Rectangle(frame, new Rect(frame.Width / 4 + (i * 12), frame.Height / 3, frame.Width / 16, frame.Height / 4), Scalar.All(220), -1);
                detector.Detect(frame, i / 10.0);
            }

            _done = true;
        }
    }
}
