using System.Numerics;
using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Grey downscaling that gives what OpenCV's area resize gives (each pixel the mean of the source area it covers,
/// partial pixels weighted by how much of them it covers), to rounding, at a fraction of its cost, for the detector's
/// shape: a height ratio n that is a whole number and a width of n × w or n × w + 1 (640×360 to 213×120:
/// 640 = 3 × 213 + 1). OpenCV takes its slow generic path for such a ratio (3.005): 0.35–0.55 ms a frame here.
/// <para>
/// How: each band of n rows is summed into one row (vector adds). Output column x then covers source columns from
/// a = x·r to b = (x + 1)·r, r = W / w; with W = n·w + 1 that is the n whole columns n·x … n·x + n − 1, less the
/// share x / w of the first, plus the share (x + 1) / w of the next one (n·x + n).
/// </para>
/// Other shapes fall back to OpenCV's resize.
/// </summary>
public sealed class AreaDownscale(Size from, Size to)
{
    private readonly int _n = to.Height > 0 && to.Width > 0 ? from.Height / to.Height : 0;
    private readonly ushort[] _sums = new ushort[Math.Max(0, from.Width)];
    private readonly int[] _less = [.. Enumerable.Range(0, Math.Max(0, to.Width)).Select(x => (int)Math.Round(x * (double)One / to.Width))];
    private readonly int[] _plus = [.. Enumerable.Range(0, Math.Max(0, to.Width)).Select(x => (int)Math.Round((x + 1) * (double)One / to.Width))];

    // 1 / (n rows × r = W / w columns), with 24 fractional bits (the sum has 24 more: 48 in all).
    private readonly long _scale = to.Width > 0 && to.Height > 0 && from.Height >= to.Height
        ? (long)Math.Round(One / (from.Height / to.Height * (from.Width / (double)to.Width)))
        : 0;

    private const int Bits = 24;
    private const long One = 1L << Bits;

    /// <summary>Whether this shape takes the fast path (else OpenCV's resize is used).</summary>
    public bool Fast { get; } = to.Height > 0 && to.Width > 0 && from.Height / to.Height is >= 1 and <= 255
        && from.Height % to.Height == 0 && from.Width / to.Width == from.Height / to.Height && from.Width % to.Width is 0 or 1;

    /// <summary>The source size this was made for.</summary>
    public Size From => from;

    /// <summary>Downscales an 8-bit grey image of <see cref="From"/>'s size into <paramref name="dst"/> (8-bit).</summary>
    // Fully optimised at once: tiered compilation left this loop in slower code for thousands of calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Apply(Mat grey, Mat dst)
    {
        if (!Fast || grey.Size() != from || grey.Type() != MatType.CV_8UC1)
        {
            Cv2.Resize(grey, dst, to, 0, 0, InterpolationFlags.Area);
            return;
        }

        dst.Create(to, MatType.CV_8UC1);
        var extra = from.Width % to.Width == 1;
        var lanes = Vector<ushort>.Count;
        var sums = _sums.AsSpan();
        var source = (byte*)grey.DataPointer; // Mat.Ptr(row) is a native call each time: too slow per row
        var step = grey.Step();
        var target = (byte*)dst.DataPointer;
        var targetStep = dst.Step();
        for (var y = 0; y < to.Height; y++)
        {
            // The band's rows summed (at most 255 rows of 255: ushort holds it).
            for (var k = 0; k < _n; k++)
            {
                var row = new ReadOnlySpan<byte>(source + (((y * _n) + k) * step), from.Width);
                var c = 0;
                for (; c + (2 * lanes) <= from.Width; c += 2 * lanes)
                {
                    Vector.Widen(new Vector<byte>(row[c..]), out var low, out var high);
                    if (k > 0)
                    {
                        low += new Vector<ushort>(sums[c..]);
                        high += new Vector<ushort>(sums[(c + lanes)..]);
                    }

                    low.CopyTo(sums[c..]);
                    high.CopyTo(sums[(c + lanes)..]);
                }

                for (; c < from.Width; c++)
                {
                    sums[c] = (ushort)((k > 0 ? sums[c] : 0) + row[c]);
                }
            }

            // In fixed point (24 fractional bits): the weights x / w and (x + 1) / w, and the scale 1 / (n·r).
            var output = new Span<byte>(target + (y * targetStep), to.Width);
            for (var x = 0; x < output.Length; x++)
            {
                var first = x * _n;
                long whole = 0;
                for (var k = 0; k < _n; k++)
                {
                    whole += sums[first + k];
                }

                var sum = (whole << Bits) + (extra ? ((long)_plus[x] * sums[first + _n]) - ((long)_less[x] * sums[first]) : 0);
                output[x] = (byte)Math.Min(255, ((sum * _scale) + (1L << ((2 * Bits) - 1))) >> (2 * Bits));
            }
        }
    }
}
