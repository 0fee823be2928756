using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using EdgeWatch.Cloud.Notify;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Testing;

/// <summary>A real HTTP endpoint on loopback that records every webhook POST with the Stopwatch time it arrived.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, int port)
    {
        _app = app;
        Url = new Uri($"http://127.0.0.1:{port}/hook");
    }

    /// <summary>The key the aggregator under test signs with (<c>Notify:WebhookSecret</c>).</summary>
    public const string Secret = "edgewatch-test-webhook-secret";

    public Uri Url { get; }

    /// <summary>The idempotency key of every accepted POST, in order (a key twice is a duplicate delivery).</summary>
    public ConcurrentQueue<string> Keys { get; } = new();

    /// <summary>POSTs refused because their signature was missing or wrong.</summary>
    public int BadSignatures => Volatile.Read(ref _badSignatures);
    private int _badSignatures;
    public ConcurrentQueue<Notification> Received { get; } = new();
    public ConcurrentQueue<(Notification Notification, long At)> Timed { get; } = new();

    /// <summary>Called for each POST as it arrives.</summary>
    public Action<Notification, long>? OnReceived { get; set; }

    /// <summary>When set, the receiver answers 503 (a notification gateway that is down).</summary>
    public bool Failing { get; set; }

    /// <summary>The next this many POSTs answer 503 (a blip), each counted in <see cref="Refused"/>.</summary>
    public int FailNext
    {
        get { lock (Keys) { return _failNext; } }
        set { lock (Keys) { _failNext = value; } }
    }

    private int _failNext;

    /// <summary>POSTs answered 503 by <see cref="FailNext"/>.</summary>
    public int Refused
    {
        get { lock (Keys) { return _refused; } }
    }

    private int _refused;

    private bool TakeFailure()
    {
        lock (Keys)
        {
            if (_failNext <= 0)
            {
                return false;
            }

            _failNext--;
            _refused++;
            return true;
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var port = Eventually.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, port);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            var at = Stopwatch.GetTimestamp();
            if (receiver.Failing)
            {
                return Results.StatusCode(503);
            }

            if (receiver.TakeFailure())
            {
                return Results.StatusCode(503);
            }

            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer).ConfigureAwait(false);
            var body = buffer.ToArray();
            if (!WebhookSignature.Verify(Secret, request.Headers[WebhookSignature.TimestampHeader], request.Headers[WebhookSignature.SignatureHeader], body))
            {
                Interlocked.Increment(ref receiver._badSignatures);
                return Results.StatusCode(401);
            }

            receiver.Keys.Enqueue(request.Headers[WebhookSignature.IdempotencyHeader].ToString());
            var n = JsonSerializer.Deserialize<Notification>(body, JsonSerializerOptions.Web);
            receiver.Received.Enqueue(n!);
            receiver.Timed.Enqueue((n!, at));
            receiver.OnReceived?.Invoke(n!, at);
            return Results.Ok();
        });
        await app.StartAsync().ConfigureAwait(false);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
