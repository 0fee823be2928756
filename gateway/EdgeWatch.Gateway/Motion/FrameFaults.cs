using System.Numerics;
using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// A frame the camera did not really see: the same frame again, to the last pixel (frozen), a flat grey
/// or black picture (signal loss), or one whose lower part is torn (a full-width band that changed everywhere).
/// <para>
/// One vector pass over the analysis image and the last one gives the brightness spread and the mean change
/// (at this size each OpenCV call costs more in its wrapper than in its arithmetic); rows are counted only when the
/// bottom row changed.
/// </para>
/// </summary>
internal sealed class FrameFaults
{
    /// <summary>A pixel changed "a lot" from the last frame (of 255).</summary>
    private const int TornStep = 30;

    private int[] _rowCounts = [];

    /// <summary>"signal-loss", "frozen", "torn", or null for a real frame. Both images are 8-bit and of one size.</summary>
    // Fully optimised at once: tiered compilation left this loop in slower code for thousands of calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string? Find(Mat small, Mat last)
    {
        // Each Mat property is a native call: read them once, not per row.
        var now = new Image(small);
        var before = new Image(last);
        int width = now.Width, height = now.Height;
        var (rows, length) = small.IsContinuous() && last.IsContinuous() ? (1, width * height) : (height, width);
        var lanes = Vector<byte>.Count;
        var sums = Vector<uint>.Zero;
        var squares = Vector<uint>.Zero;
        var changes = Vector<uint>.Zero;
        ulong sum = 0, square = 0, change = 0;
        for (var y = 0; y < rows; y++)
        {
            var a0 = now.Row(y, length);
            var b0 = before.Row(y, length);
            var x = 0;
            for (; x + lanes <= length; x += lanes)
            {
                var a = new Vector<byte>(a0[x..]);
                var b = new Vector<byte>(b0[x..]);
                Vector.Widen(a, out var low, out var high);
                sums += Widened(low + high); // ≤ 510 a lane
                squares += Widened(low * low) + Widened(high * high); // ≤ 65,025 a lane
                Vector.Widen(Vector.Max(a, b) - Vector.Min(a, b), out var dLow, out var dHigh);
                changes += Widened(dLow + dHigh);
            }

            for (; x < length; x++)
            {
                sum += a0[x];
                square += (uint)(a0[x] * a0[x]);
                change += (uint)Math.Abs(a0[x] - b0[x]);
            }
        }

        double pixels = width * height;
        var mean = (sum + Total(sums)) / pixels;
        var spread = Math.Sqrt(Math.Max(0, ((square + Total(squares)) / pixels) - (mean * mean)));
        if (spread < 2.0)
        {
            return "signal-loss";
        }

        if (change + Total(changes) == 0)
        {
            // Exactly the same picture. Not "almost": a compressed stream of a still, clean daylight scene differs
            // from frame to frame by a fraction of a level on average, and so does one with a small, slow walker far
            // away in it; only a repeated frame (a frozen camera, or a block-skipping encoder with nothing to send)
            // is the same to the last pixel.
            return "frozen";
        }

        // Torn: rows at the bottom where nearly every pixel changed a lot from the last frame, under rows that mostly
        // did not (a change of the whole picture is the light, and recalibrates instead).
        if (Changed(now, before, height - 1) < 0.5 * width)
        {
            return null; // the bottom row is whole, so nothing below it is torn (most frames stop here)
        }

        if (_rowCounts.Length != height)
        {
            _rowCounts = new int[height];
        }

        for (var y = 0; y < height; y++)
        {
            _rowCounts[y] = Changed(now, before, y);
        }

        var torn = 0;
        for (var y = height - 1; y >= 0 && _rowCounts[y] >= 0.5 * width; y--)
        {
            torn++;
        }

        var above = height - torn;
        var changedAbove = 0.0;
        for (var y = 0; y < above; y++)
        {
            changedAbove += _rowCounts[y] / (double)width;
        }

        return torn >= height / 6 && above >= height / 6 && changedAbove / above < 0.2 ? "torn" : null;
    }

    private static int Changed(Image now, Image before, int y)
    {
        var a = now.Row(y, now.Width);
        var b = before.Row(y, before.Width);
        var count = 0;
        for (var x = 0; x < a.Length; x++)
        {
            count += Math.Abs(a[x] - b[x]) > TornStep ? 1 : 0;
        }

        return count;
    }

    /// <summary>An 8-bit image's rows, its Mat's native properties read once.</summary>
    private readonly unsafe struct Image(Mat mat)
    {
        private readonly byte* _data = (byte*)mat.DataPointer;
        private readonly long _step = mat.Step();

        public int Width { get; } = mat.Width;

        public int Height { get; } = mat.Height;

        public ReadOnlySpan<byte> Row(int y, int length) => new(_data + (y * _step), length);
    }

    private static Vector<uint> Widened(Vector<ushort> values)
    {
        Vector.Widen(values, out var low, out var high);
        return low + high;
    }

    private static ulong Total(Vector<uint> lanes)
    {
        Vector.Widen(lanes, out var low, out var high);
        return Vector.Sum(low + high);
    }
}
