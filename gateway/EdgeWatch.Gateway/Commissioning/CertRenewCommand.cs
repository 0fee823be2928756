using System.Buffers;
using System.Globalization;
using EdgeWatch.Gateway.Hosting;
using EdgeWatch.Gateway.Uplink;
using EdgeWatch.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeWatch.Gateway.Commissioning;

/// <summary>
/// <c>cert renew [--force]</c>: renews the node's certificate now, over MQTT, the way the running gateway does by itself
/// from <c>Mqtt:RenewBefore</c> (45 days) before expiry: a new key here, its signing request on <c>cert/request</c>, the
/// certificate from <c>cert/issued</c>, checked and installed. Without <c>--force</c> it only renews a certificate that
/// is due. Run it with the gateway service stopped (it takes the node's broker session). Exit 0 when renewed or not due,
/// 1 when the aggregator refused or did not answer, 2 for bad arguments or settings.
/// </summary>
public static class CertRenewCommand
{
    public const string Verb = "cert";

    /// <summary>How long it waits for the aggregator's answer.</summary>
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args, TextWriter output, IDictionary<string, string?>? settings = null)
    {
        if (args.Length == 0 || args[0] != "renew" || args.Skip(1).Any(a => a != "--force" && !a.StartsWith("--", StringComparison.Ordinal)))
        {
            await output.WriteLineAsync("usage: EdgeWatch.Gateway cert renew [--force] (renews the node's certificate over MQTT; gateway service stopped)").ConfigureAwait(false);
            return 2;
        }

        var force = args.Contains("--force");
        return await NodeCommandHost.RunAsync("cert renew", [.. args.Skip(1).Where(a => a != "--force")], settings, LogLevel.Critical, output, services => RenewAsync(services, force, output)).ConfigureAwait(false);
    }

    private static async Task<int> RenewAsync(IServiceProvider services, bool force, TextWriter output)
    {
        var gateway = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var mqtt = services.GetRequiredService<IOptions<MqttOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var renewal = services.GetRequiredService<CertificateRenewal>();
        if (!renewal.Enabled)
        {
            await output.WriteLineAsync("cert renew: this node has no certificate to renew (Mqtt:UseTls, Mqtt:ClientCertificate and Mqtt:ClientKey come from its bundle)").ConfigureAwait(false);
            return 2;
        }

        var expires = renewal.Expires();
        if (!force && !renewal.Due())
        {
            var left = expires is { } e ? $"valid until {e:yyyy-MM-dd} ({(e - time.GetUtcNow()).TotalDays.ToString("0", CultureInfo.InvariantCulture)} days)" : "unreadable";
            await output.WriteLineAsync($"The certificate of {gateway.Id} is {left}: it renews by itself {mqtt.RenewBefore.TotalDays:0} days before expiry. --force renews it now.").ConfigureAwait(false);
            return 0;
        }

        MqttClientOptions options;
        try
        {
            options = MqttTlsFiles.NodeOptions(mqtt, gateway, time.GetUtcNow(), out _).Build();
        }
        catch (InvalidOperationException ex)
        {
            await output.WriteLineAsync($"cert renew: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        using var client = new MqttClientFactory().CreateMqttClient();
        var answer = new TaskCompletionSource<CertificateRenewalAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic == Topics.CertificateIssued(gateway.Site, gateway.Id))
            {
                try
                {
                    answer.TrySetResult(ProtocolJson.DeserializeRenewalAnswer(e.ApplicationMessage.Payload.ToArray()));
                }
                catch (PayloadException ex)
                {
                    answer.TrySetException(ex);
                }
            }

            return Task.CompletedTask;
        };

        try
        {
            var connected = await client.ConnectAsync(options).ConfigureAwait(false);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                await output.WriteLineAsync($"cert renew: {mqtt.Host}:{mqtt.Port} refused the node: {connected.ResultCode} {connected.ReasonString}").ConfigureAwait(false);
                return 1;
            }

            await client.SubscribeAsync(Topics.CertificateIssued(gateway.Site, gateway.Id), MqttQualityOfServiceLevel.AtLeastOnce).ConfigureAwait(false);
            var request = renewal.Begin();
            await client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.CertificateRequest(gateway.Site, gateway.Id))
                .WithPayload(ProtocolJson.Serialize(request))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build()).ConfigureAwait(false);
            var got = await answer.Task.WaitAsync(AnswerWithin, time).ConfigureAwait(false);
            await client.DisconnectAsync().ConfigureAwait(false);
            using var renewed = renewal.Complete(got);
            if (renewed is null)
            {
                await output.WriteLineAsync($"cert renew: not renewed: {renewal.LastError}").ConfigureAwait(false);
                return 1;
            }

            await output.WriteLineAsync($"Renewed the certificate of {gateway.Id}: serial {renewed.SerialNumber}, valid until {renewed.NotAfter.ToUniversalTime():yyyy-MM-dd} (was {expires:yyyy-MM-dd}); installed in {mqtt.ClientCertificate}").ConfigureAwait(false);
            return 0;
        }
        catch (TimeoutException)
        {
            await output.WriteLineAsync($"cert renew: the aggregator did not answer within {AnswerWithin.TotalSeconds:0} s: is its Broker:Renewal set, and is it connected to the broker?").ConfigureAwait(false);
            return 1;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await output.WriteLineAsync($"cert renew: {(mqtt.UseTls ? MqttTlsFiles.Explain(mqtt, ex.Message) : ex.Message)}").ConfigureAwait(false);
            return 1;
        }
    }
}
