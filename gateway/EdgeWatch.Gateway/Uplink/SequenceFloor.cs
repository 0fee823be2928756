using System.Globalization;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// Keeps sequence numbers going forward when the outbox is lost (moved aside, in memory): a small file beside it holds
/// a number that every issued sequence number stays below. It is reserved a block at a time, ahead of use and off the
/// alarm path, so the file is written once per <see cref="BlockSize"/> events, never while an event is stamped.
/// </summary>
internal sealed class SequenceFloor(string path)
{
    public const long BlockSize = 1024;
    private long _reserved;
    private int _writing;

    /// <summary>The floor found on disk at start, or 0.</summary>
    public long Read()
    {
        try
        {
            return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Reserves the first block after <paramref name="start"/> (at start, before any event).</summary>
    public void Start(long start) => Write(start + BlockSize);

    /// <summary>Called for each issued sequence number; reserves the next block in the background when half is used.</summary>
    public void Issued(long seq)
    {
        if (seq > Interlocked.Read(ref _reserved) - (BlockSize / 2) && Interlocked.Exchange(ref _writing, 1) == 0)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    Write(seq + BlockSize);
                }
                finally
                {
                    Volatile.Write(ref _writing, 0);
                }
            });
        }
    }

    private void Write(long reserved)
    {
        try
        {
            var temp = path + ".tmp";
            File.WriteAllText(temp, reserved.ToString(CultureInfo.InvariantCulture));
            File.Move(temp, path, overwrite: true);
            Interlocked.Exchange(ref _reserved, reserved);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A bad disk: the outbox's own last sequence number still holds while it survives.
        }
    }
}
