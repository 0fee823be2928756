using System.Numerics;
using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// The dynamic background in one vector pass: where change keeps coming back (foliage, water, a flag) a pixel stops
/// counting until it has been still for a while. What five OpenCV calls did (threshold, two conversions, a weighted
/// accumulation, a mask), whose wrappers cost more than their arithmetic at the analysis size.
/// </summary>
internal static class ActivityMask
{
    /// <summary>A share this small is none (far below any threshold).</summary>
    private const float Forgotten = 1e-6f;

    /// <summary>
    /// Clears the changed pixels (<paramref name="changed"/>, 8-bit, 0 or not) whose activity (<paramref name="activity"/>,
    /// 32-bit float, the running share of frames in which the pixel changed) is above <paramref name="busy"/>, then
    /// learns this frame's change into the activity at <paramref name="rate"/>.
    /// </summary>
    // Fully optimised at once: tiered compilation left this loop in slower code for thousands of calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Apply(Mat changed, Mat activity, float busy, float rate)
    {
        var keep = 1 - rate;
        int width = changed.Width, height = changed.Height;
        var (rows, length) = changed.IsContinuous() && activity.IsContinuous() ? (1, width * height) : (height, width);
        var lanes = Vector<byte>.Count;
        var floats = Vector<float>.Count;
        var one = Vector<uint>.One;
        // Each Mat property is a native call: read them once, not per row.
        byte* maskData = (byte*)changed.DataPointer, shareData = (byte*)activity.DataPointer;
        long maskStep = changed.Step(), shareStep = activity.Step();
        for (var y = 0; y < rows; y++)
        {
            var mask = new Span<byte>(maskData + (y * maskStep), length);
            var share = new Span<float>(shareData + (y * shareStep), length);
            var x = 0;
            for (; x + lanes <= length; x += lanes)
            {
                var pixels = new Vector<byte>(mask[x..]);
                Vector.Widen(pixels, out var low, out var high);
                Vector.Widen(low, out var p0, out var p1);
                Vector.Widen(high, out var p2, out var p3);
                var b0 = Learn(share[x..], p0, one, busy, rate, keep);
                var b1 = Learn(share[(x + floats)..], p1, one, busy, rate, keep);
                var b2 = Learn(share[(x + (2 * floats))..], p2, one, busy, rate, keep);
                var b3 = Learn(share[(x + (3 * floats))..], p3, one, busy, rate, keep);
                var busyPixels = Vector.Narrow(Vector.Narrow(b0, b1), Vector.Narrow(b2, b3));
                Vector.AndNot(pixels, busyPixels).CopyTo(mask[x..]);
            }

            for (; x < length; x++)
            {
                var was = share[x];
                var learnt = (was * keep) + ((mask[x] != 0 ? 1f : 0f) * rate);
                share[x] = learnt < Forgotten ? 0 : learnt;
                if (was > busy)
                {
                    mask[x] = 0;
                }
            }
        }
    }

    /// <summary>Learns one vector of pixels; answers all ones where the pixel was busy before this frame.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<uint> Learn(Span<float> share, Vector<uint> pixels, Vector<uint> one, float busy, float rate, float keep)
    {
        var was = new Vector<float>(share);
        var changedNow = Vector.ConvertToSingle(Vector.AsVectorInt32(Vector.Min(pixels, one))); // int, not uint: a native conversion
        var learnt = (was * keep) + (changedNow * rate);

        // A share that has decayed to nothing is 0, not a denormal float (each costs ~100 cycles to compute with).
        Vector.AndNot(learnt, Vector.AsVectorSingle(Vector.LessThan(learnt, new Vector<float>(Forgotten)))).CopyTo(share);
        return Vector.AsVectorUInt32(Vector.GreaterThan(was, new Vector<float>(busy)));
    }
}
