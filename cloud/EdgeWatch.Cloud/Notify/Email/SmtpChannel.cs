using System.Net.Sockets;
using EdgeWatch.Cloud.Storage;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace EdgeWatch.Cloud.Notify.Email;

/// <summary>
/// Email through an SMTP server (MailKit), one connection per mail. Accepted on the server's <c>250</c> after
/// <c>DATA</c>. A <c>5xx</c> for the recipient or the message is a refusal (the person falls back to their next
/// channel); a <c>4xx</c>, a refused connection or a timeout retries with backoff. Mail can't be made idempotent: a
/// connection lost after the message was written may have delivered it, and the row is flagged as a possible
/// duplicate. The <c>Message-ID</c> is the outbox's idempotency key, so a mail client can fold a repeat. A motion
/// mail carries the privacy-masked snapshot as an image: it waits up to <see cref="SmtpOptions.SnapshotWait"/> after
/// the motion for the snapshot to arrive (it follows the event in pieces), then goes with the link alone.
/// </summary>
public sealed class SmtpChannel(IOptions<SmtpOptions> options, ISnapshotStore snapshots, TimeProvider time, ILogger<SmtpChannel> logger) : INotificationChannel
{
    public const string ChannelName = "email";
    private readonly SmtpOptions _options = options.Value;

    public string Name => ChannelName;

    public int Concurrency => _options.Concurrency;

    public bool Idempotent => false;

    public bool Enabled => !string.IsNullOrWhiteSpace(_options.Host);

    /// <summary>Whether the last mail failed for want of the server (not a refused recipient).</summary>
    public bool Failing => Volatile.Read(ref _failing);
    private bool _failing;

    public async Task<DeliveryOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var alert = PersonAlert.Parse(message.Payload);
        byte[]? snapshot = null;
        if (alert.SnapshotEvent is { } motion)
        {
            snapshot = await snapshots.GetSnapshotAsync(motion, cancellationToken).ConfigureAwait(false);
            if (snapshot is null && time.GetUtcNow() - alert.At < _options.SnapshotWait)
            {
                return DeliveryOutcome.Retry("waiting for the motion snapshot");
            }
        }

        var mail = FireEmail.Build(alert, message.Destination, MailboxAddress.Parse(_options.From), $"{message.IdempotencyKey}@edgewatch", snapshot);
        using var timeout = new CancellationTokenSource(_options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var client = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        var written = false; // once the message is on the wire, a lost answer may still mean it went out
        try
        {
            await client.ConnectAsync(_options.Host!, _options.Port, _options.Security, linked.Token).ConfigureAwait(false);
            if (_options.User is { } user)
            {
                await client.AuthenticateAsync(user, _options.Password ?? "", linked.Token).ConfigureAwait(false);
            }

            written = true;
            var answer = await client.SendAsync(mail, linked.Token).ConfigureAwait(false);
            written = false;
            Volatile.Write(ref _failing, false);
            await client.DisconnectAsync(true, CancellationToken.None).ConfigureAwait(false);
            return DeliveryOutcome.Accepted($"SMTP 250 {answer}");
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            // The server answered: nothing went out.
            return DeliveryOutcome.Refused($"SMTP {(int)ex.StatusCode} {Describe(ex)}: {ex.Message}");
        }
        catch (SmtpCommandException ex)
        {
            return DeliveryOutcome.Retry($"SMTP {(int)ex.StatusCode} {Describe(ex)}: {ex.Message}");
        }
        catch (MailKit.Security.AuthenticationException ex)
        {
            SmtpLog.AuthenticationFailed(logger, _options.Host!);
            return DeliveryOutcome.Retry($"SMTP authentication failed: {ex.Message}");
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException
                                       || (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            Volatile.Write(ref _failing, true);
            var detail = ex is OperationCanceledException ? $"no answer within {_options.Timeout.TotalSeconds:0} s" : ex.Message;
            return DeliveryOutcome.Retry($"SMTP {_options.Host}:{_options.Port}: {detail}") with { MaybeSent = written };
        }
    }

    private static string Describe(SmtpCommandException ex) => ex.ErrorCode switch
    {
        SmtpErrorCode.RecipientNotAccepted => "recipient refused",
        SmtpErrorCode.SenderNotAccepted => "sender refused",
        SmtpErrorCode.MessageNotAccepted => "message refused",
        _ => "unexpected answer",
    };
}

internal static partial class SmtpLog
{
    [LoggerMessage(EventId = 4300, Level = LogLevel.Error, Message = "SMTP: the server {Host} refused the credentials in Notify:Smtp")]
    public static partial void AuthenticationFailed(ILogger logger, string host);
}
