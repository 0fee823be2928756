using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EdgeWatch.Cloud.Notify;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Cloud.Tests;

internal static class Eventually
{
    /// <summary>Waits for a condition that depends on real network I/O (broker, HTTP), failing with a message after the timeout.</summary>
    public static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>A real HTTP endpoint on loopback that records every webhook POST.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, int port)
    {
        _app = app;
        Url = new Uri($"http://127.0.0.1:{port}/hook");
    }

    public Uri Url { get; }
    public ConcurrentQueue<Notification> Received { get; } = new();

    /// <summary>When set, the receiver answers 503 (a notification gateway that is down).</summary>
    public bool Failing { get; set; }

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
            if (receiver.Failing)
            {
                return Results.StatusCode(503);
            }

            var n = await JsonSerializer.DeserializeAsync<Notification>(request.Body, JsonSerializerOptions.Web);
            receiver.Received.Enqueue(n!);
            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
