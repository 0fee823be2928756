using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeWatch.Cloud.Tests;

/// <summary>MQTT 5 clients on a broker's mutual-TLS listener, each with a certificate from a <see cref="TrustSite"/>.</summary>
internal static class TrustClients
{
    public static MqttClientOptions Options(int port, string authority, string certificate, string key, string clientId) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithTlsOptions(o => o.UseTls()
                .WithTrustChain(new X509Certificate2Collection(X509CertificateLoader.LoadCertificateFromFile(authority)))
                .WithClientCertificates([X509Certificate2.CreateFromPemFile(certificate, key)]))
            .Build();

    /// <summary>Connects and asserts the broker accepted.</summary>
    public static async Task<IMqttClient> ConnectAsync(int port, string authority, string certificate, string key, string clientId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(Options(port, authority, certificate, key, clientId));
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    /// <summary>Whether the broker refuses this client: at the TLS handshake, or with a CONNACK that isn't success.</summary>
    public static async Task<bool> RefusedAsync(MqttClientOptions options)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(options);
            return result.ResultCode != MqttClientConnectResultCode.Success || !client.IsConnected;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return !client.IsConnected;
        }
    }

    public static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(Encoding.UTF8.GetBytes("{}")).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    /// <summary>Collects the topics of what <paramref name="client"/> receives.</summary>
    public static ConcurrentQueue<string> Received(IMqttClient client)
    {
        var topics = new ConcurrentQueue<string>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            topics.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        return topics;
    }
}
