using System.Numerics;
using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Where the frame differs from the background by more than the threshold, in one vector pass: 255 where it does,
/// inside the analysis mask, and 0 elsewhere. What an absolute difference, a threshold, a conversion, a mask and a
/// count did as five OpenCV calls, whose wrappers cost more than their arithmetic at the analysis size.
/// </summary>
internal static class ChangeMask
{
    /// <summary>A pixel <see cref="AddChroma"/> marked: its colour changed, its grey did not (a grey change is 255).</summary>
    public const byte ColourOnly = 127;

    /// <summary>
    /// Writes the mask of <paramref name="frame"/> against <paramref name="background"/> (both 32-bit float, one size)
    /// into <paramref name="changed"/> (8-bit, made the same size) and answers how many pixels changed.
    /// </summary>
    // Fully optimised at once: tiered compilation left such loops in slower code for thousands of calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int Apply(Mat frame, Mat background, float threshold, Mat? analysisMask, Mat changed)
    {
        int width = frame.Width, height = frame.Height;
        changed.Create(height, width, MatType.CV_8UC1);

        // Each Mat property is a native call: read them once, not per row.
        byte* frameData = (byte*)frame.DataPointer, backgroundData = (byte*)background.DataPointer, changedData = (byte*)changed.DataPointer;
        long frameStep = frame.Step(), backgroundStep = background.Step(), changedStep = changed.Step();
        var maskData = analysisMask is null ? null : (byte*)analysisMask.DataPointer;
        var maskStep = analysisMask?.Step() ?? 0;
        var (rows, length) = OneRow(frame, background, changed, analysisMask) ? (1, width * height) : (height, width);
        var lanes = Vector<byte>.Count;
        var floats = Vector<float>.Count;
        var limit = new Vector<float>(threshold);
        var count = 0;
        for (var y = 0; y < rows; y++)
        {
            var now = new ReadOnlySpan<float>(frameData + (y * frameStep), length);
            var before = new ReadOnlySpan<float>(backgroundData + (y * backgroundStep), length);
            var mask = maskData is null ? default : new ReadOnlySpan<byte>(maskData + (y * maskStep), length);
            var output = new Span<byte>(changedData + (y * changedStep), length);
            var ones = Vector<byte>.Zero;
            var chunks = 0;
            var x = 0;
            for (; x + lanes <= length; x += lanes)
            {
                var c0 = Over(now[x..], before[x..], limit);
                var c1 = Over(now[(x + floats)..], before[(x + floats)..], limit);
                var c2 = Over(now[(x + (2 * floats))..], before[(x + (2 * floats))..], limit);
                var c3 = Over(now[(x + (3 * floats))..], before[(x + (3 * floats))..], limit);
                var result = Vector.AsVectorByte(Vector.Narrow(Vector.Narrow(c0, c1), Vector.Narrow(c2, c3)));
                if (maskData is not null)
                {
                    result &= new Vector<byte>(mask[x..]);
                }

                result.CopyTo(output[x..]);
                ones += Vector.ShiftRightLogical(result, 7);
                if (++chunks == byte.MaxValue)
                {
                    count += Total(ones); // before a lane can overflow
                    (ones, chunks) = (Vector<byte>.Zero, 0);
                }
            }

            count += Total(ones);
            for (; x < length; x++)
            {
                var on = Math.Abs(now[x] - before[x]) > threshold && (maskData is null || mask[x] != 0);
                output[x] = on ? (byte)255 : (byte)0;
                count += on ? 1 : 0;
            }
        }

        return count;
    }

    /// <summary>
    /// Adds to <paramref name="changed"/> (made by <see cref="Apply"/>), as <see cref="ColourOnly"/>, the pixels inside
    /// the analysis mask whose chroma differs from the background's by more than <paramref name="threshold"/> (the two differences' absolute
    /// sum), and answers how many it added. Chroma is 32-bit float, twice the rows of the mask: B − Y above, R − Y
    /// below (<see cref="ColourDownscale"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int AddChroma(Mat chroma, Mat background, float threshold, Mat? analysisMask, Mat changed)
    {
        int width = changed.Width, height = changed.Height;
        byte* chromaData = (byte*)chroma.DataPointer, backgroundData = (byte*)background.DataPointer, changedData = (byte*)changed.DataPointer;
        long chromaStep = chroma.Step(), backgroundStep = background.Step(), changedStep = changed.Step();
        var maskData = analysisMask is null ? null : (byte*)analysisMask.DataPointer;
        var maskStep = analysisMask?.Step() ?? 0;
        var floats = Vector<float>.Count;
        var limit = new Vector<float>(threshold);
        var added = 0;
        for (var y = 0; y < height; y++)
        {
            var u = (float*)(chromaData + (y * chromaStep));
            var v = (float*)(chromaData + ((y + height) * chromaStep));
            var bu = (float*)(backgroundData + (y * backgroundStep));
            var bv = (float*)(backgroundData + ((y + height) * backgroundStep));
            var mask = maskData + (y * maskStep);
            var output = changedData + (y * changedStep);
            var x = 0;
            for (; x + floats <= width; x += floats)
            {
                var over = Vector.GreaterThan(Vector.Abs(Vector.Load(u + x) - Vector.Load(bu + x)) + Vector.Abs(Vector.Load(v + x) - Vector.Load(bv + x)), limit);
                if (over == Vector<int>.Zero)
                {
                    continue;
                }

                for (var i = 0; i < floats; i++)
                {
                    if (over[i] != 0 && output[x + i] == 0 && (maskData is null || mask[x + i] != 0))
                    {
                        output[x + i] = ColourOnly;
                        added++;
                    }
                }
            }

            for (; x < width; x++)
            {
                if (output[x] == 0 && (maskData is null || mask[x] != 0) && Math.Abs(u[x] - bu[x]) + Math.Abs(v[x] - bv[x]) > threshold)
                {
                    output[x] = ColourOnly;
                    added++;
                }
            }
        }

        return added;
    }

    /// <summary>Whether the images are each one block of memory, to be gone through as one long row.</summary>
    private static bool OneRow(Mat a, Mat b, Mat c, Mat? d) => a.IsContinuous() && b.IsContinuous() && c.IsContinuous() && (d is null || d.IsContinuous());

    private static int Total(Vector<byte> ones)
    {
        Vector.Widen(ones, out var low, out var high);
        return Vector.Sum(low + high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> Over(ReadOnlySpan<float> now, ReadOnlySpan<float> before, Vector<float> limit)
        => Vector.GreaterThan(Vector.Abs(new Vector<float>(now) - new Vector<float>(before)), limit);
}
