using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// Whether a mask has a pixel set at or near a box: within <c>reach</c> steps left, right, up or down (the L1
/// distance), which is what dilating the mask <c>reach</c> times with the 3×3 cross and looking inside the box gives,
/// without building the dilated image (each box cost several OpenCV calls that way).
/// </summary>
internal static class NearChange
{
    /// <summary>Whether <paramref name="mask"/> (8-bit) has a non-zero pixel within <paramref name="reach"/> of <paramref name="box"/>.</summary>
    public static unsafe bool Within(Mat mask, Rect box, int reach)
    {
        int width = mask.Width, height = mask.Height;
        var data = (byte*)mask.DataPointer; // each Mat property is a native call: read once
        var step = mask.Step();
        int left = Math.Max(0, box.X - reach), right = Math.Min(width, box.Right + reach);
        int top = Math.Max(0, box.Y - reach), bottom = Math.Min(height, box.Bottom + reach);
        for (var y = top; y < bottom; y++)
        {
            var dy = y < box.Y ? box.Y - y : y >= box.Bottom ? y - box.Bottom + 1 : 0;
            var row = new ReadOnlySpan<byte>(data + (y * step) + left, right - left);
            for (var i = row.IndexOfAnyExcept((byte)0); i >= 0; i = Next(row, i))
            {
                var x = left + i;
                var dx = x < box.X ? box.X - x : x >= box.Right ? x - box.Right + 1 : 0;
                if (dx + dy <= reach)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static int Next(ReadOnlySpan<byte> row, int i)
    {
        var rest = row[(i + 1)..].IndexOfAnyExcept((byte)0);
        return rest < 0 ? -1 : i + 1 + rest;
    }
}
