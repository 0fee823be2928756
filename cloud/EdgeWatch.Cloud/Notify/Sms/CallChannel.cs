using EdgeWatch.Cloud.Storage;

namespace EdgeWatch.Cloud.Notify.Sms;

/// <summary>
/// A phone call through the modem pool that only rings: the ring is the alert, no audio is played. Accepted once
/// <c>AT+CLCC</c> shows the call alerting or answered; a busy line or a call that never rang is retried.
/// </summary>
public sealed class CallChannel(ModemPool modems) : INotificationChannel
{
    public const string ChannelName = "call";

    public string Name => ChannelName;

    public int Concurrency => Math.Max(1, modems.Count);

    public bool Idempotent => false;

    public async Task<DeliveryOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        if (await modems.AcquireAsync((message.Priority * 2) + 1, modems.Patience, cancellationToken).ConfigureAwait(false) is not { } modem)
        {
            return DeliveryOutcome.Retry("no modem is ready (none registered, or all faulty)");
        }

        try
        {
            var call = await modem.CallAsync(message.Destination, cancellationToken).ConfigureAwait(false);
            return call.Reached ? DeliveryOutcome.Accepted($"{modem.Path}: {call.Detail}") : DeliveryOutcome.Retry($"{modem.Path}: {call.Detail}");
        }
        catch (ModemException ex)
        {
            return DeliveryOutcome.Retry(ex.Message);
        }
        catch (TimeoutException ex)
        {
            return DeliveryOutcome.Retry(ex.Message);
        }
        finally
        {
            modems.Release(modem);
        }
    }
}
