using System.Numerics;
using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Grey and chroma at analysis size straight from the BGR frame, in one pass: the frame is read once, with no full-size
/// grey image first. Each output pixel is the mean of the source area it covers, per channel, as OpenCV's area resize
/// gives it (for the shapes <see cref="AreaDownscale"/> takes fast: n × n blocks, and at 640 → 213 the partial columns
/// weighted as it weighs them);
/// grey is the BT.601 luma of those means, as OpenCV's <c>BGR2GRAY</c> weighs it; chroma is the colour differences
/// B − Y and R − Y divided by Y (at least <see cref="ChromaFloor"/>) and scaled by 128. Dividing by Y keeps a shadow
/// or a change of light, which scales all three channels together, out of the chroma, while an olive car on a grey
/// road of the same luma stands out in it. Other shapes fall back to OpenCV (area resize, then per pixel).
/// </summary>
public sealed class ColourDownscale(Size from, Size to) : IDisposable
{
    /// <summary>Luma below which chroma is divided by this instead (a dark pixel's noise is not magnified).</summary>
    public const float ChromaFloor = 48f;

    private readonly AreaDownscale _grey = new(from, to);
    private readonly int _n = to.Height > 0 ? from.Height / Math.Max(1, to.Height) : 0;
    private readonly ushort[] _sums = new ushort[Math.Max(0, from.Width * 3)];
    private readonly ushort[] _taps = new ushort[Math.Max(0, from.Width * 3)];
    private readonly float[] _b = new float[Math.Max(1, to.Width)];
    private readonly float[] _g = new float[Math.Max(1, to.Width)];
    private readonly float[] _r = new float[Math.Max(1, to.Width)];
    private readonly int[] _levels = new int[Math.Max(1, to.Width)];
    private readonly float[] _eb = new float[Math.Max(1, to.Width + 1)];
    private readonly float[] _eg = new float[Math.Max(1, to.Width + 1)];
    private readonly float[] _er = new float[Math.Max(1, to.Width + 1)];
    private readonly float[] _less = [.. Enumerable.Range(0, Math.Max(0, to.Width + 1)).Select(x => x / (float)to.Width)];
    private readonly Mat _fallbackFloat = new();
    private readonly Mat _fallbackColour = new();

    /// <summary>The source size this was made for.</summary>
    public Size From => from;

    /// <summary>Whether this shape takes the one-pass path.</summary>
    public bool Fast => _grey.Fast && _n <= 16; // 16 × 16 × 255 still fits the 16-bit sums

    /// <summary>
    /// Writes grey (8-bit) and chroma (32-bit float, one channel: B − Y relative in the top half of the rows, R − Y
    /// relative in the bottom half, so each step after this is one call for both) at the analysis size from an 8-bit
    /// BGR image of <see cref="From"/>'s size.
    /// </summary>
    // Fully optimised at once: tiered compilation left such loops in slower code for thousands of calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Apply(Mat bgr, Mat grey, Mat chroma)
    {
        if (!Fast || bgr.Size() != from || bgr.Type() != MatType.CV_8UC3)
        {
            Fallback(bgr, grey, chroma);
            return;
        }

        grey.Create(to, MatType.CV_8UC1);
        chroma.Create(to.Height * 2, to.Width, MatType.CV_32FC1);
        var n = _n;
        var bytes = from.Width * 3;
        var span = 3 * n * to.Width; // the bytes the output covers: whole pixels only (640 → 213 leaves the last column)
        var source = (byte*)bgr.DataPointer;
        var step = bgr.Step();
        byte* greyData = (byte*)grey.DataPointer, chromaData = (byte*)chroma.DataPointer;
        long greyStep = grey.Step(), chromaStep = chroma.Step();
        var lanes = Vector<ushort>.Count;
        var floats = Vector<float>.Count;
        var extra = from.Width % to.Width == 1;
        var scale = new Vector<float>((float)(1.0 / (n * (from.Width / (double)to.Width))));
        var wb = new Vector<float>(0.114f);
        var wg = new Vector<float>(0.587f);
        var wr = new Vector<float>(0.299f);
        var half = new Vector<float>(0.5f);
        var floor = new Vector<float>(ChromaFloor);
        var full = new Vector<float>(128f);
        fixed (ushort* sums = _sums, taps = _taps)
        fixed (float* fb = _b, fg = _g, fr = _r, eb = _eb, eg = _eg, er = _er)
        fixed (int* levels = _levels)
        fixed (float* lessAt = _less)
        {
            for (var y = 0; y < to.Height; y++)
            {
                // The band's n rows summed, all three channels at once (at most 255 rows of 255: ushort holds it).
                for (var k = 0; k < n; k++)
                {
                    var row = source + (((y * n) + k) * step);
                    var c = 0;
                    for (; c + (2 * lanes) <= bytes; c += 2 * lanes)
                    {
                        Vector.Widen(Vector.Load(row + c), out var low, out var high);
                        if (k > 0)
                        {
                            low += Vector.Load(sums + c);
                            high += Vector.Load(sums + c + lanes);
                        }

                        low.Store(sums + c);
                        high.Store(sums + c + lanes);
                    }

                    for (; c < bytes; c++)
                    {
                        sums[c] = (ushort)((k > 0 ? sums[c] : 0) + row[c]);
                    }
                }

                // Then n neighbouring pixels: taps[i] = sums[i] + sums[i + 3] + … (a pixel's channels are 3 apart).
                var t = 0;
                for (; t + lanes <= span && t + (3 * (n - 1)) + lanes <= bytes; t += lanes)
                {
                    var tap = Vector.Load(sums + t);
                    for (var k = 1; k < n; k++)
                    {
                        tap += Vector.Load(sums + t + (3 * k));
                    }

                    tap.Store(taps + t);
                }

                for (; t < span; t++)
                {
                    var tap = 0;
                    for (var k = 0; k < n; k++)
                    {
                        tap += sums[t + (3 * k)];
                    }

                    taps[t] = (ushort)tap;
                }

                // Each output pixel's channel sums sit 3n apart: gather them into planes.
                for (var x = 0; x < to.Width; x++)
                {
                    var at = taps + (3 * n * x);
                    fb[x] = at[0];
                    fg[x] = at[1];
                    fr[x] = at[2];
                }

                if (extra)
                {
                    // And each output's first column, one more at the end: the area resize takes from an output the
                    // share x / w of its first column and adds the share (x + 1) / w of the next output's first.
                    for (var x = 0; x <= to.Width; x++)
                    {
                        var first = sums + (3 * n * x);
                        eb[x] = first[0];
                        eg[x] = first[1];
                        er[x] = first[2];
                    }
                }

                // Luma and relative chroma, a vector of pixels at a time.
                var u = (float*)(chromaData + (y * chromaStep));
                var v = (float*)(chromaData + ((y + to.Height) * chromaStep));
                var x0 = 0;
                for (; x0 + floats <= to.Width; x0 += floats)
                {
                    var x = x0;
                    Vector<float> mb = Vector.Load(fb + x), mg = Vector.Load(fg + x), mr = Vector.Load(fr + x);
                    if (extra)
                    {
                        Vector<float> less = Vector.Load(lessAt + x), plus = Vector.Load(lessAt + x + 1);
                        mb += (plus * Vector.Load(eb + x + 1)) - (less * Vector.Load(eb + x));
                        mg += (plus * Vector.Load(eg + x + 1)) - (less * Vector.Load(eg + x));
                        mr += (plus * Vector.Load(er + x + 1)) - (less * Vector.Load(er + x));
                    }

                    mb *= scale;
                    mg *= scale;
                    mr *= scale;
                    var luma = (wb * mb) + (wg * mg) + (wr * mr);
                    Vector.ConvertToInt32(luma + half).Store(levels + x);
                    var relative = full / Vector.Max(luma, floor);
                    ((mb - luma) * relative).Store(u + x);
                    ((mr - luma) * relative).Store(v + x);
                }

                for (; x0 < to.Width; x0++)
                {
                    float mb = fb[x0], mg = fg[x0], mr = fr[x0];
                    if (extra)
                    {
                        float less = lessAt[x0], plus = lessAt[x0 + 1];
                        mb += (plus * eb[x0 + 1]) - (less * eb[x0]);
                        mg += (plus * eg[x0 + 1]) - (less * eg[x0]);
                        mr += (plus * er[x0 + 1]) - (less * er[x0]);
                    }

                    mb *= scale[0];
                    mg *= scale[0];
                    mr *= scale[0];
                    var luma = (0.114f * mb) + (0.587f * mg) + (0.299f * mr);
                    levels[x0] = (int)(luma + 0.5f);
                    var relative = 128f / Math.Max(luma, ChromaFloor);
                    u[x0] = (mb - luma) * relative;
                    v[x0] = (mr - luma) * relative;
                }

                var greyRow = greyData + (y * greyStep);
                for (var x = 0; x < to.Width; x++)
                {
                    greyRow[x] = (byte)levels[x];
                }
            }
        }
    }

    /// <summary>The same from OpenCV, for other shapes: each channel area-resized, then grey and chroma per pixel.</summary>
    private void Fallback(Mat bgr, Mat grey, Mat chroma)
    {
        chroma.Create(to.Height * 2, to.Width, MatType.CV_32FC1);
        if (bgr.Channels() == 1)
        {
            _grey.Apply(bgr, grey);
            chroma.SetTo(Scalar.All(0)); // a grey camera has no colour
            return;
        }

        bgr.ConvertTo(_fallbackColour, MatType.CV_32FC3);
        Cv2.Resize(_fallbackColour, _fallbackFloat, to, 0, 0, InterpolationFlags.Area);
        grey.Create(to, MatType.CV_8UC1);
        for (var y = 0; y < to.Height; y++)
        {
            for (var x = 0; x < to.Width; x++)
            {
                var p = _fallbackFloat.At<Vec3f>(y, x);
                var luma = (0.114f * p.Item0) + (0.587f * p.Item1) + (0.299f * p.Item2);
                grey.Set(y, x, (byte)Math.Min(255f, luma + 0.5f));
                var relative = 128f / Math.Max(luma, ChromaFloor);
                chroma.Set(y, x, (p.Item0 - luma) * relative);
                chroma.Set(y + to.Height, x, (p.Item2 - luma) * relative);
            }
        }
    }

    public void Dispose()
    {
        _fallbackFloat.Dispose();
        _fallbackColour.Dispose();
    }
}
