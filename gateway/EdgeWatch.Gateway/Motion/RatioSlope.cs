using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// How a changed box differs from its background, for the soft-edge check: the ratio of the picture to the
/// background (each plus 4, so black stays defined), its depth (its furthest departure from 1) and its steepest slope
/// (the magnitude of its 3×3 Sobel gradient, scaled by 1/8, with the box's edges mirrored as OpenCV's default border
/// does), both over the box's pixels whose grey changed (not those whose colour alone did). One pass in managed code instead of ten OpenCV calls a box.
/// </summary>
internal sealed class RatioSlope
{
    private float[] _ratio = [];

    /// <summary>Depth and steepest slope of the ratio inside <paramref name="box"/>, and how many of its pixels' grey changed (with none: depth 1, slope 0).</summary>
    // Fully optimised at once: tiered compilation left this loop in slower code for thousands of calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (double Depth, double Steepest, int Pixels) Measure(Mat current, Mat background, Mat changed, Rect box)
    {
        int width = box.Width, height = box.Height;
        if (_ratio.Length < width * height)
        {
            _ratio = new float[width * height];
        }

        var ratio = _ratio.AsSpan(0, width * height);
        var cur = new Plane<float>(current, box);
        var bg = new Plane<float>(background, box);
        var mask = new Plane<byte>(changed, box);
        float low = float.MaxValue, high = float.MinValue;
        var pixels = 0;
        for (var y = 0; y < height; y++)
        {
            var c = cur.Row(y);
            var b = bg.Row(y);
            var m = mask.Row(y);
            var row = ratio.Slice(y * width, width);
            for (var x = 0; x < width; x++)
            {
                var r = (c[x] + 4f) / (b[x] + 4f);
                row[x] = r;
                if (m[x] > ChangeMask.ColourOnly)
                {
                    pixels++;
                    low = Math.Min(low, r);
                    high = Math.Max(high, r);
                }
            }
        }

        if (pixels == 0)
        {
            return (1, 0, 0); // as OpenCV's masked min and max answer for an empty mask: 0 and 0
        }

        var steepest = 0f;
        for (var y = 0; y < height; y++)
        {
            var m = mask.Row(y);
            int up = Mirror(y - 1, height) * width, here = y * width, down = Mirror(y + 1, height) * width;
            for (var x = 0; x < width; x++)
            {
                if (m[x] <= ChangeMask.ColourOnly)
                {
                    continue;
                }

                int left = Mirror(x - 1, width), right = Mirror(x + 1, width);
                var dx = (ratio[up + right] - ratio[up + left]) + (2 * (ratio[here + right] - ratio[here + left])) + (ratio[down + right] - ratio[down + left]);
                var dy = (ratio[down + left] - ratio[up + left]) + (2 * (ratio[down + x] - ratio[up + x])) + (ratio[down + right] - ratio[up + right]);
                steepest = Math.Max(steepest, 0.125f * MathF.Sqrt((dx * dx) + (dy * dy)));
            }
        }

        return (Math.Max(Math.Abs(high - 1.0), Math.Abs(1.0 - low)), steepest, pixels);
    }

    /// <summary>OpenCV's default border (reflect 101): −1 is 1, n is n − 2.</summary>
    private static int Mirror(int i, int n) => n == 1 ? 0 : i < 0 ? -i : i >= n ? (2 * n) - 2 - i : i;

    /// <summary>A box of an image, its Mat's native properties read once (each is a native call).</summary>
    private readonly unsafe struct Plane<T>(Mat image, Rect box)
        where T : unmanaged
    {
        private readonly byte* _origin = (byte*)image.DataPointer + (box.Y * image.Step()) + (box.X * sizeof(T));
        private readonly long _step = image.Step();

        public ReadOnlySpan<T> Row(int y) => new(_origin + (y * _step), box.Width);
    }
}
