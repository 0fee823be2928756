using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// The in-call retry of the HTTP channels (webhook, Zalo ZNS), with Polly through
/// Microsoft.Extensions.Http.Resilience: a transient failure (a refused or reset connection, HTTP 408, 429 or 5xx) is
/// tried again twice, 200 ms and then about 400 ms later, with jitter, on the aggregator's clock. Both channels carry
/// an idempotency key (<c>Idempotency-Key</c>, ZNS <c>tracking_id</c>), so a retried request that had arrived is
/// dropped by the receiver. The whole call, retries included, stays within the channel's <c>HttpClient.Timeout</c>;
/// what still fails goes back to the outbox, whose row holds the durable backoff and the give-up time.
/// </summary>
public static class HttpChannelResilience
{
    public const int Retries = 2;
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ResilienceHandlerContext context)
    {
        builder.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
        builder.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = Retries,
            Delay = FirstDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldRetryAfterHeader = false, // a 429's Retry-After can be minutes: that is the outbox's business
        });
    }
}
