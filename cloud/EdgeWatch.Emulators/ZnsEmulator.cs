using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Emulators;

/// <summary>A ZNS message the emulator accepted.</summary>
public sealed record ZnsMessage(string Phone, string TemplateId, JsonObject TemplateData, string? TrackingId, string MsgId);

/// <summary>
/// A local Zalo ZNS business API and OAuth v4 host with the real request and answer shapes. It checks the request
/// rather than echoing it: the <c>access_token</c> header must be the current token (else −124), the phone must be
/// <c>84</c> and 9 digits (else −108), the template must be one of <see cref="Templates"/>. Numbers in
/// <see cref="NoZaloAccount"/> answer −118; <see cref="OutsideSendingTime"/> answers −133 to everyone. The OAuth
/// refresh needs the <c>secret_key</c> header and the app id, and the refresh token is single-use: each refresh
/// issues a new pair and the old refresh token is refused from then on.
/// </summary>
public sealed partial class ZnsEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _tokens = new();
    private string _accessToken = "";
    private string _refreshToken;
    private int _msgIds;

    private ZnsEmulator(WebApplication app, Uri url, string initialRefreshToken)
    {
        _app = app;
        Url = url;
        _refreshToken = initialRefreshToken;
    }

    public const string AppId = "4319023718561207812";
    public const string SecretKey = "edgewatch-zns-emulator-secret";
    public const string FireTemplate = "301234";

    /// <summary>The API and OAuth base address (both paths are served here).</summary>
    public Uri Url { get; }

    public HashSet<string> Templates { get; } = [FireTemplate];
    public ConcurrentDictionary<string, bool> NoZaloAccount { get; } = new();
    public bool OutsideSendingTime { get; set; }

    /// <summary>How long the answer −118 (no Zalo account) takes, as when Zalo's servers are slow.</summary>
    public TimeSpan NoZaloAnswerDelay { get; set; }
    public ConcurrentQueue<ZnsMessage> Accepted { get; } = new();

    /// <summary>Called for each accepted message (the demo prints it).</summary>
    public Action<ZnsMessage>? OnAccepted { get; set; }
    public int Refreshes => Volatile.Read(ref _refreshes);
    private int _refreshes;

    /// <summary>The next this many sends answer HTTP 503 before reading anything (the API briefly down).</summary>
    public int UnavailableSends { get => Volatile.Read(ref _unavailableSends); set => Volatile.Write(ref _unavailableSends, value); }
    private int _unavailableSends;

    /// <summary>The next this many token refreshes answer HTTP 503 before reading anything.</summary>
    public int UnavailableRefreshes { get => Volatile.Read(ref _unavailableRefreshes); set => Volatile.Write(ref _unavailableRefreshes, value); }
    private int _unavailableRefreshes;

    /// <summary>Every request to the OAuth endpoint, answered or not.</summary>
    public int RefreshRequests => Volatile.Read(ref _refreshRequests);
    private int _refreshRequests;

    /// <summary>Sends answered 503 by <see cref="UnavailableSends"/>.</summary>
    public int UnavailableAnswers => Volatile.Read(ref _unavailableAnswers);
    private int _unavailableAnswers;

    /// <summary>Answers that were errors, by code (a failure the caller should have handled).</summary>
    public ConcurrentQueue<int> Errors { get; } = new();

    /// <summary>The refresh token that the next refresh must present.</summary>
    public string CurrentRefreshToken
    {
        get
        {
            lock (_tokens)
            {
                return _refreshToken;
            }
        }
    }

    /// <summary>Invalidates the current access token, as Zalo does when it expires early or is revoked.</summary>
    public void ExpireAccessToken()
    {
        lock (_tokens)
        {
            _accessToken = "expired-" + Guid.NewGuid().ToString("N");
        }
    }

    public static async Task<ZnsEmulator> StartAsync(string initialRefreshToken, int port = 0)
    {
        if (port == 0)
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var zns = new ZnsEmulator(app, new Uri($"http://127.0.0.1:{port}/"), initialRefreshToken);
        app.MapPost("/message/template", zns.SendAsync);
        app.MapPost("/v4/oa/access_token", zns.RefreshAsync);
        await app.StartAsync().ConfigureAwait(false);
        return zns;
    }

    private async Task<IResult> SendAsync(HttpRequest request)
    {
        if (TakeOne(ref _unavailableSends))
        {
            Interlocked.Increment(ref _unavailableAnswers);
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        string current;
        lock (_tokens)
        {
            current = _accessToken;
        }

        if (request.Headers["access_token"].ToString() is not { Length: > 0 } token || token != current)
        {
            return Error(-124, "Access token is invalid");
        }

        JsonObject? body;
        try
        {
            body = await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(request.Body).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException)
        {
            return Error(-201, "Body is not valid JSON");
        }

        var phone = (string?)body?["phone"];
        var template = (string?)body?["template_id"];
        if (phone is null || !Phone().IsMatch(phone))
        {
            return Error(-108, "Phone number is invalid");
        }

        if (template is null || !Templates.Contains(template) || body!["template_data"] is not JsonObject data)
        {
            return Error(-201, "template_id or template_data is invalid");
        }

        if (NoZaloAccount.ContainsKey(phone))
        {
            await Task.Delay(NoZaloAnswerDelay).ConfigureAwait(false);
            return Error(-118, "Zalo account not existed or has been disabled");
        }

        if (OutsideSendingTime)
        {
            return Error(-133, "Sending ZNS at night is not allowed");
        }

        var msgId = Interlocked.Increment(ref _msgIds).ToString("x16", CultureInfo.InvariantCulture);
        var accepted = new ZnsMessage(phone, template, (JsonObject)data.DeepClone(), (string?)body["tracking_id"], msgId);
        Accepted.Enqueue(accepted);
        OnAccepted?.Invoke(accepted);
        return Results.Json(new JsonObject
        {
            ["error"] = 0,
            ["message"] = "Success",
            ["data"] = new JsonObject
            {
                ["msg_id"] = msgId,
                ["sent_time"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                ["quota"] = new JsonObject { ["dailyQuota"] = "500000", ["remainingQuota"] = (500000 - Accepted.Count).ToString(CultureInfo.InvariantCulture) },
            },
        });
    }

    private async Task<IResult> RefreshAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _refreshRequests);
        if (TakeOne(ref _unavailableRefreshes))
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        if (request.Headers["secret_key"].ToString() != SecretKey)
        {
            return Results.Json(new JsonObject { ["error"] = -14014, ["error_name"] = "Invalid secret key", ["error_description"] = "secret_key is wrong" });
        }

        var form = await request.ReadFormAsync().ConfigureAwait(false);
        lock (_tokens)
        {
            if (form["app_id"] != AppId || form["grant_type"] != "refresh_token" || form["refresh_token"] != _refreshToken)
            {
                return Results.Json(new JsonObject { ["error"] = -14020, ["error_name"] = "Invalid refresh token", ["error_description"] = "refresh_token is invalid or used" });
            }

            _accessToken = "at-" + Guid.NewGuid().ToString("N");
            _refreshToken = "rt-" + Guid.NewGuid().ToString("N");
            Interlocked.Increment(ref _refreshes);
            return Results.Json(new JsonObject { ["access_token"] = _accessToken, ["refresh_token"] = _refreshToken, ["expires_in"] = "90000" });
        }
    }

    private IResult Error(int code, string message)
    {
        Errors.Enqueue(code);
        return Results.Json(new JsonObject { ["error"] = code, ["message"] = message });
    }

    [GeneratedRegex("^84[1-9][0-9]{8}$")]
    private static partial Regex Phone();

    /// <summary>Takes one from a counter of failures still to play; false when none is left.</summary>
    private static bool TakeOne(ref int counter)
    {
        int left;
        do
        {
            left = Volatile.Read(ref counter);
            if (left <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref counter, left - 1, left) != left);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
