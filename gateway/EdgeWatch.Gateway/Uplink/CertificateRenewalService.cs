using EdgeWatch.Gateway.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// Looks at the node's certificate every <c>Mqtt:RenewCheckInterval</c> while connected and, once it has less than
/// <c>Mqtt:RenewBefore</c> left, sends a signing request through the uplink's connection (<see cref="CertificateRenewal"/>);
/// the answer comes back on that connection, which then reconnects with the new certificate.
/// </summary>
public sealed partial class CertificateRenewalService(CertificateRenewal renewal, MqttUplink uplink, IOptions<MqttOptions> mqtt, TimeProvider time, ILogger<CertificateRenewalService> logger)
    : SupervisedService(time, logger)
{
    /// <summary>While disconnected, how often it looks whether the uplink is back.</summary>
    private static readonly TimeSpan WhileDisconnected = TimeSpan.FromSeconds(5);

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!mqtt.Value.Enabled || !renewal.Enabled)
        {
            return;
        }

        var interval = mqtt.Value.RenewCheckInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (uplink.Connected && renewal.Due() && !await uplink.PublishRenewalRequestAsync(renewal.Begin(), stoppingToken).ConfigureAwait(false))
            {
                NotSent(logger);
            }

            await Task.Delay(uplink.Connected || interval < WhileDisconnected ? interval : WhileDisconnected, Time, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 2404, Level = LogLevel.Warning, Message = "The certificate request was not sent (the uplink is not connected or the broker refused it); asking again later")]
    private static partial void NotSent(ILogger logger);
}
