using MQTTnet;

namespace EdgeWatch.Mqtt;

/// <summary>What a supervised connection does once connected, and how it reports.</summary>
public sealed class MqttSupervisorCallbacks
{
    /// <summary>Builds the connect options (Will, credentials, TLS) for each attempt.</summary>
    public required Func<MqttClientOptions> Options { get; init; }

    /// <summary>Runs right after connecting: subscribe, publish the birth message.</summary>
    public Func<IMqttClient, CancellationToken, Task>? Connected { get; init; }

    /// <summary>Runs while connected; the token is cancelled when the connection drops. Return or throw to reconnect.</summary>
    public required Func<IMqttClient, CancellationToken, Task> Session { get; init; }

    /// <summary>Handles an incoming message.</summary>
    public Func<IMqttClient, MqttApplicationMessageReceivedEventArgs, Task>? Message { get; init; }

    /// <summary>Runs once at shutdown while still connected (publish offline, disconnect cleanly).</summary>
    public Func<IMqttClient, Task>? Stopping { get; init; }

    /// <summary>Reports a failed attempt or a lost connection (the reason, never credentials).</summary>
    public Action<string>? Failed { get; init; }
}

/// <summary>
/// One supervised MQTT connection: connect, run the session, and on any failure back off with decorrelated jitter and
/// try again, from this one loop. The client's disconnect handler only wakes the loop; it never reconnects.
/// </summary>
public sealed class MqttSupervisor(MqttSupervisorCallbacks callbacks, ReconnectBackoff backoff, TimeProvider time)
{
    private readonly MqttClientFactory _factory = new();

    public bool IsConnected { get; private set; }

    /// <summary>The connected client, for publishing outside the session loop (null while disconnected).</summary>
    public IMqttClient? Client => IsConnected ? _client : null;

    private IMqttClient? _client;

    public string? LastError { get; private set; }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            using var client = _factory.CreateMqttClient();
            _client = client;
            using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            client.DisconnectedAsync += _ =>
            {
                IsConnected = false;
                try
                {
                    lost.Cancel();
                }
                catch (ObjectDisposedException)
                {
                }

                return Task.CompletedTask;
            };
            if (callbacks.Message is { } onMessage)
            {
                client.ApplicationMessageReceivedAsync += e => onMessage(client, e);
            }

            try
            {
                await client.ConnectAsync(callbacks.Options(), stoppingToken).ConfigureAwait(false);
                if (callbacks.Connected is { } connected)
                {
                    await connected(client, stoppingToken).ConfigureAwait(false);
                }

                IsConnected = true;
                LastError = null;
                backoff.Reset();
                await callbacks.Session(client, lost.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                if (client.IsConnected && callbacks.Stopping is { } stopping)
                {
                    await stopping(client).ConfigureAwait(false);
                }

                IsConnected = false;
                return;
            }
            catch (OperationCanceledException)
            {
                Report("connection lost");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Report(ex.Message);
            }

            IsConnected = false;
            try
            {
                await Task.Delay(backoff.Next(), time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Report(string reason)
    {
        LastError = reason;
        callbacks.Failed?.Invoke(reason);
    }
}
