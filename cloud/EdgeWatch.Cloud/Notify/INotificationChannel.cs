using EdgeWatch.Cloud.Storage;

namespace EdgeWatch.Cloud.Notify;

/// <summary>What one delivery attempt came to.</summary>
public enum DeliveryResult
{
    /// <summary>The channel accepted the message (ZNS <c>error</c> 0 with a <c>msg_id</c>; webhook 2xx).</summary>
    Accepted,

    /// <summary>A passing failure: try again after the backoff, until the give-up time.</summary>
    Retry,

    /// <summary>The message can never go out this way (a bad number, no Zalo account): the person is unreached here.</summary>
    Refused,
}

public sealed record DeliveryOutcome(DeliveryResult Result, string? Detail = null)
{
    /// <summary>A failure after which the message may have gone out all the same (a modem that hung mid-send).</summary>
    public bool MaybeSent { get; init; }

    public static DeliveryOutcome Accepted(string? detail = null) => new(DeliveryResult.Accepted, detail);
    public static DeliveryOutcome Retry(string detail) => new(DeliveryResult.Retry, detail);
    public static DeliveryOutcome Refused(string detail) => new(DeliveryResult.Refused, detail);
}

/// <summary>
/// One way of reaching people. The <see cref="OutboxWorker"/> runs each channel on its own loop, so one slow channel
/// never holds up another, and sends a channel's messages concurrently, so one stuck destination doesn't either.
/// </summary>
public interface INotificationChannel
{
    string Name { get; }

    /// <summary>Messages of this channel in flight at once.</summary>
    int Concurrency { get; }

    /// <summary>
    /// Whether a resend is harmless (the receiver drops a repeated idempotency key). When not (SMS, calls, mail), a
    /// row is marked in flight before each send, so one sent twice is flagged as a possible duplicate.
    /// </summary>
    bool Idempotent => true;

    Task<DeliveryOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}
