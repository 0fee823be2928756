using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeWatch.Gateway.Motion;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>
/// What the gateway and its camera process say to each other over the local Unix socket: one length-prefixed
/// (4 bytes, little-endian) UTF-8 JSON message per frame, with a <c>type</c> field. The camera process never touches
/// the outbox, the broker or the GPIO lines; it only analyses and tells the gateway what it saw.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HelloMessage), "hello")]
[JsonDerivedType(typeof(StatusMessage), "status")]
[JsonDerivedType(typeof(MotionMessage), "motion")]
[JsonDerivedType(typeof(SnapshotMessage), "snapshot")]
[JsonDerivedType(typeof(CameraStateMessage), "camera-state")]
[JsonDerivedType(typeof(CameraSignalMessage), "camera-signal")]
[JsonDerivedType(typeof(ClipMessage), "clip")]
[JsonDerivedType(typeof(ConfigureMessage), "configure")]
[JsonDerivedType(typeof(SnapshotRequestMessage), "snapshot-request")]
public abstract record CameraLinkMessage;

// Camera process → gateway.

/// <summary>The first message of a camera process.</summary>
public sealed record HelloMessage(int Pid) : CameraLinkMessage;

/// <summary>Every second: proof of life, and each camera's counters.</summary>
public sealed record StatusMessage(IReadOnlyList<CameraStatus> Cameras) : CameraLinkMessage;

/// <summary>One camera's pipeline counters. <c>Finished</c>: a recording was analysed to its end and all its events were sent. <c>Generation</c> counts the pipeline's (re)starts in this process.</summary>
/// <c>Fps</c> is the stream's frame rate; <c>AnalyseMs</c> the detection time and <c>DecodeMs</c> the CPU of the ffmpeg readers that ended;
/// <c>DetectorMeanMs</c> and <c>DetectorP95Ms</c> the detector's own time per frame.
public sealed record CameraStatus(string Camera, long Frames, long Analysed, long Dropped, bool Finished, int Generation, double Fps = 0, double AnalyseMs = 0, double DecodeMs = 0,
    double DetectorMeanMs = 0, double DetectorP95Ms = 0);

/// <summary>
/// A motion event's start, update or end. <c>Ref</c> names the event within the camera process; <c>StartSeconds</c>
/// and <c>LastMotionSeconds</c> are stream times (a recording's position).
/// </summary>
/// <param name="Person">The person check's answer at the event's start; null when it did not run.</param>
public sealed record MotionMessage(string Camera, string Phase, Guid Ref, IReadOnlyList<string> Zones, IReadOnlyList<int[]> Boxes, double PeakArea, double StartSeconds = 0, double LastMotionSeconds = 0, bool? Person = null) : CameraLinkMessage;

/// <summary>A privacy-masked JPEG: for a motion event (its <c>Ref</c>) or for a snapshot request (the request's id).</summary>
public sealed record SnapshotMessage(Guid Ref, byte[] Jpeg) : CameraLinkMessage;

public sealed record CameraStateMessage(string Camera, bool Offline) : CameraLinkMessage;

/// <summary>A camera's picture kept failing (<c>Fault</c>: frozen, signal-loss or torn) and is reported (<c>On</c>), or is good again; at stream time <c>Seconds</c>.</summary>
public sealed record CameraSignalMessage(string Camera, string Fault, bool On, double Seconds) : CameraLinkMessage;

/// <summary>A clip was saved for a motion event.</summary>
public sealed record ClipMessage(Guid Ref, string Path) : CameraLinkMessage;

// Gateway → camera process.

/// <summary>
/// The cameras to run (local options merged with the cloud's), and where clips go. Sent after hello and on every
/// change. <c>Settings</c> replaces the default detection settings (the <c>analyze</c> command's <c>--settings</c>).
/// </summary>
public sealed record ConfigureMessage(IReadOnlyList<CameraOptions> Cameras, string ClipsDirectory, MotionSettings? Settings = null) : CameraLinkMessage;

public sealed record SnapshotRequestMessage(string Camera, Guid Id) : CameraLinkMessage;

/// <summary>Reads and writes <see cref="CameraLinkMessage"/> frames on a stream. Writes are serialised; one reader at a time.</summary>
public sealed class CameraLink(Stream stream) : IDisposable
{
    /// <summary>Larger than any snapshot (256 KiB) in base64 plus its envelope.</summary>
    public const int MaxFrameBytes = 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly byte[] _header = new byte[4];

    public async Task SendAsync(CameraLinkMessage message, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message, Json);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Sends from a thread that may block (an analysis thread): waits for the socket like any write.</summary>
    public void Send(CameraLinkMessage message) => SendAsync(message, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The next message; null when the other side closed the connection.</summary>
    /// <exception cref="InvalidDataException">A frame that is too large or not a message.</exception>
    public async Task<CameraLinkMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(_header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(_header);
        if (length is <= 0 or > MaxFrameBytes)
        {
            throw new InvalidDataException($"camera link frame of {length} bytes (at most {MaxFrameBytes})");
        }

        var body = new byte[length];
        if (!await FillAsync(body, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidDataException("camera link closed in the middle of a frame");
        }

        try
        {
            return JsonSerializer.Deserialize<CameraLinkMessage>(body, Json) ?? throw new InvalidDataException("camera link frame is null");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"camera link frame is not a message: {ex.Message}", ex);
        }
    }

    private async Task<bool> FillAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return read == 0 ? false : throw new InvalidDataException("camera link closed in the middle of a frame");
            }

            read += n;
        }

        return true;
    }

    public void Dispose()
    {
        stream.Dispose();
        _write.Dispose();
    }
}
