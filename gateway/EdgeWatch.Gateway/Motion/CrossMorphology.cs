using System.Numerics;
using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Erosion and dilation of an 8-bit mask with the 3×3 cross (OpenCV's 3×3 ellipse), giving exactly what
/// <c>Cv2.MorphologyEx</c> and <c>Cv2.Dilate</c> give with their default border (pixels outside the image never
/// count), as vector passes over a padded copy: at the analysis size OpenCV's own calls cost several times more.
/// </summary>
internal sealed class CrossMorphology
{
    private byte[] _a = [];
    private byte[] _b = [];
    private byte[] _c = [];
    private int _width;
    private int _height;

    // Room for one whole vector past the last pixel, so every row is done in vectors (the frame is set again after).
    private int Stride => _width + 2 + Vector<byte>.Count;

    /// <summary>Opening (an erosion, then a dilation) of <paramref name="source"/> into <paramref name="target"/>.</summary>
    public void Open(Mat source, Mat target)
    {
        Load(source);
        Fill(_a, 255); // outside the image never erodes
        Step(_a, _b, erode: true);
        Fill(_b, 0); // outside the image never dilates
        Step(_b, _a, erode: false);
        Store(_a, target);
    }

    /// <summary>
    /// The opening above united with an opening by the upright 1×3 line: what is left is what either keeps, so a
    /// structure one pixel wide but three tall survives (a distant walker is two or three analysis pixels wide, and the
    /// cross erases it) while speckle and lone horizontal streaks still go.
    /// </summary>
    public void OpenKeepingUpright(Mat source, Mat target)
    {
        Load(source);
        Fill(_a, 255);
        _a.AsSpan().CopyTo(_c);
        Step(_a, _b, erode: true);
        Fill(_b, 0);
        Step(_b, _a, erode: false);
        Step(_c, _b, erode: true, upright: true);
        Fill(_b, 0);
        Step(_b, _c, erode: false, upright: true);
        var lanes = Vector<byte>.Count;
        var length = Stride * (_height + 2);
        var i = 0;
        for (; i <= length - lanes; i += lanes)
        {
            Vector.Max(new Vector<byte>(_a.AsSpan(i)), new Vector<byte>(_c.AsSpan(i))).CopyTo(_a.AsSpan(i));
        }

        for (; i < length; i++)
        {
            _a[i] = Math.Max(_a[i], _c[i]);
        }

        Store(_a, target);
    }

    /// <summary>Dilates <paramref name="image"/> in place <paramref name="iterations"/> times.</summary>
    public void Dilate(Mat image, int iterations)
    {
        if (iterations <= 0)
        {
            return;
        }

        Load(image);
        Fill(_a, 0);
        Fill(_b, 0);
        var (from, to) = (_a, _b);
        for (var i = 0; i < iterations; i++)
        {
            Step(from, to, erode: false);
            Fill(to, 0);
            (from, to) = (to, from);
        }

        Store(from, image);
    }

    private unsafe void Load(Mat source)
    {
        _width = source.Width;
        _height = source.Height;
        var size = Stride * (_height + 2);
        if (_a.Length < size)
        {
            _a = new byte[size];
            _b = new byte[size];
            _c = new byte[size];
        }

        var data = (byte*)source.DataPointer; // each Mat property is a native call: read once
        var step = source.Step();
        for (var y = 0; y < _height; y++)
        {
            new ReadOnlySpan<byte>(data + (y * step), _width).CopyTo(_a.AsSpan(((y + 1) * Stride) + 1, _width));
        }
    }

    private unsafe void Store(byte[] buffer, Mat target)
    {
        target.Create(_height, _width, MatType.CV_8UC1);
        var data = (byte*)target.DataPointer;
        var step = target.Step();
        for (var y = 0; y < _height; y++)
        {
            buffer.AsSpan(((y + 1) * Stride) + 1, _width).CopyTo(new Span<byte>(data + (y * step), _width));
        }
    }

    /// <summary>Sets the one-pixel frame around the image.</summary>
    private void Fill(byte[] buffer, byte value)
    {
        var stride = Stride;
        buffer.AsSpan(0, stride).Fill(value);
        buffer.AsSpan((_height + 1) * stride, stride).Fill(value);
        for (var y = 1; y <= _height; y++)
        {
            buffer[y * stride] = value;
            buffer[(y * stride) + _width + 1] = value;
        }
    }

    // Fully optimised at once: tiered compilation left such loops in slower code for thousands of calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(byte[] from, byte[] to, bool erode, bool upright = false)
    {
        var stride = Stride;
        var lanes = Vector<byte>.Count;
        var source = from.AsSpan();
        for (var y = 1; y <= _height; y++)
        {
            var row = y * stride;
            var x = 1;
            for (; x <= _width; x += lanes)
            {
                var i = row + x;
                var here = new Vector<byte>(source[i..]);
                var left = new Vector<byte>(source[(i - 1)..]);
                var right = new Vector<byte>(source[(i + 1)..]);
                var up = new Vector<byte>(source[(i - stride)..]);
                var down = new Vector<byte>(source[(i + stride)..]);
                var result = upright
                    ? (erode ? Vector.Min(Vector.Min(here, up), down) : Vector.Max(Vector.Max(here, up), down))
                    : erode
                        ? Vector.Min(Vector.Min(Vector.Min(here, left), Vector.Min(right, up)), down)
                        : Vector.Max(Vector.Max(Vector.Max(here, left), Vector.Max(right, up)), down);
                result.CopyTo(to.AsSpan(i));
            }
        }
    }
}
