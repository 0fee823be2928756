using EdgeWatch.Cloud.Storage;

namespace EdgeWatch.Cloud.Notify.Sms;

/// <summary>
/// SMS through the modem pool, in PDU mode: Vietnamese in UCS2, or GSM-7 with the diacritics stripped when
/// <see cref="ModemOptions.Gsm7"/>. One modem sends one SMS at a time, so the channel runs as many at once as there
/// are modems, and the outbox hands it the most urgent first (a fire's first messages before anyone's details).
/// Accepted on <c>+CMGS: &lt;ref&gt;</c> then <c>OK</c>. An SMS can't be made idempotent: one that was in flight when
/// the aggregator died may go out again, and its row is flagged as a possible duplicate.
/// </summary>
public sealed class SmsChannel(ModemPool modems) : INotificationChannel
{
    public const string ChannelName = "sms";
    private int _reference;

    public string Name => ChannelName;

    /// <summary>
    /// One more than the modems: while every modem sends, the next SMS already waits in the pool, so when a modem
    /// comes free it goes to that SMS rather than to a waiting call.
    /// </summary>
    public int Concurrency => Math.Max(1, modems.Count) + 1;

    public bool Idempotent => false;

    public async Task<DeliveryOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var alert = PersonAlert.Parse(message.Payload);
        var text = alert.Details ? FireSms.DetailsText(alert) : FireSms.Text(alert);
        var parts = SmsPdu.Submit(message.Destination, text, modems.Gsm7, (byte)Interlocked.Increment(ref _reference));
        if (await modems.AcquireAsync(message.Priority * 2, modems.Patience, cancellationToken).ConfigureAwait(false) is not { } modem)
        {
            return DeliveryOutcome.Retry("no modem is ready (none registered, or all faulty)");
        }

        try
        {
            var references = await modem.SendSmsAsync(parts, cancellationToken).ConfigureAwait(false);
            return DeliveryOutcome.Accepted($"{modem.Path}: +CMGS {string.Join(",", references)} ({parts.Count} part(s))");
        }
        catch (ModemException ex)
        {
            return DeliveryOutcome.Retry(ex.Message);
        }
        catch (TimeoutException ex)
        {
            return DeliveryOutcome.Retry(ex.Message) with { MaybeSent = true }; // the modem may have sent it before hanging
        }
        finally
        {
            modems.Release(modem);
        }
    }
}
