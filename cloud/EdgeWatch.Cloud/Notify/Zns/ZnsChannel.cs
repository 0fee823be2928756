using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeWatch.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Notify.Zns;

/// <summary>
/// Zalo ZNS template messages. Send: <c>POST {ApiUrl}/message/template</c> with an <c>access_token</c> header and
/// <c>{"phone","template_id","template_data","tracking_id"}</c>; accepted when <c>error</c> is 0 with a
/// <c>msg_id</c>. The outbox's idempotency key is the <c>tracking_id</c>. Errors by meaning (Zalo's ZNS error table):
/// −108 invalid phone and −118 no Zalo account and −133 outside the sending hours are refusals (the person is listed
/// as unreached here); −124 invalid or expired access token refreshes once and retries; anything else retries with
/// backoff. The OAuth v4 refresh token is single-use: the rotated pair is stored before it is used.
/// </summary>
public sealed partial class ZnsChannel : INotificationChannel, IDisposable
{
    public const string ChannelName = "zns";

    /// <summary>The HTTP client of the OAuth refresh: no in-call retry, since a refresh token works only once.</summary>
    public const string OAuthClientName = "zns-oauth";
    public const int InvalidPhone = -108;
    public const int NoZaloAccount = -118;
    public const int InvalidAccessToken = -124;
    public const int OutsideSendingTime = -133;

    private readonly IHttpClientFactory _http;
    private readonly IZnsTokenStore _tokens;
    private readonly ZnsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ZnsChannel> _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private ZnsTokens? _current; // the stored pair, read once; replaced on every refresh

    public ZnsChannel(IHttpClientFactory http, IZnsTokenStore tokens, IOptions<ZnsOptions> options, TimeProvider time, ILogger<ZnsChannel> logger)
    {
        _http = http;
        _tokens = tokens;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public string Name => ChannelName;

    public int Concurrency => 16;

    public bool Enabled => _options.ApiUrl is not null;

    public bool SendsAllClear => Enabled && _options.AllClearTemplateId is not null;

    /// <summary>Whether the last token refresh failed (the daily self-test and health report it).</summary>
    public bool RefreshFailing => Volatile.Read(ref _refreshFailing);
    private bool _refreshFailing;

    /// <summary>Token refreshes done (each rotates the refresh token).</summary>
    public int Refreshes => Volatile.Read(ref _refreshes);
    private int _refreshes;

    public async Task<DeliveryOutcome> SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var token = await AccessTokenAsync(null, cancellationToken).ConfigureAwait(false);
        var (code, detail) = await SendOnceAsync(message, token, cancellationToken).ConfigureAwait(false);
        if (code == InvalidAccessToken)
        {
            token = await AccessTokenAsync(token, cancellationToken).ConfigureAwait(false);
            (code, detail) = await SendOnceAsync(message, token, cancellationToken).ConfigureAwait(false);
        }

        return code switch
        {
            0 => DeliveryOutcome.Accepted(detail),
            InvalidPhone => DeliveryOutcome.Refused($"ZNS {code}: invalid phone number ({detail})"),
            NoZaloAccount => DeliveryOutcome.Refused($"ZNS {code}: no Zalo account ({detail})"),
            OutsideSendingTime => DeliveryOutcome.Refused($"ZNS {code}: outside the allowed sending time ({detail})"),
            _ => DeliveryOutcome.Retry($"ZNS {code}: {detail}"),
        };
    }

    private async Task<(int Code, string Detail)> SendOnceAsync(OutboxMessage message, string token, CancellationToken cancellationToken)
    {
        using var client = _http.CreateClient(ChannelName);
        client.Timeout = _options.Timeout;
        var alert = PersonAlert.Parse(message.Payload);
        var body = new JsonObject
        {
            ["phone"] = message.Destination,
            ["template_id"] = alert.Kind == PersonAlert.AllClear ? _options.AllClearTemplateId : _options.FireTemplateId,
            ["template_data"] = TemplateData(alert),
            ["tracking_id"] = message.IdempotencyKey,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.ApiUrl!, "message/template")) { Content = JsonContent.Create(body) };
        request.Headers.Add("access_token", token);
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return (-100, $"HTTP {(int)response.StatusCode}");
        }

        var answer = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
        var code = (int?)answer?["error"] ?? -100;
        if (code == 0)
        {
            return (string?)answer?["data"]?["msg_id"] is { Length: > 0 } msgId ? (0, $"msg_id {msgId}") : (-100, "success without a msg_id");
        }

        return (code, (string?)answer?["message"] ?? "no message");
    }

    /// <summary>The stored access token, refreshed when there is none, it has expired, or it is <paramref name="rejected"/>.</summary>
    private async Task<string> AccessTokenAsync(string? rejected, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _current) is { } cached && Usable(cached, rejected))
        {
            return cached.AccessToken; // the usual send: no lock, no database read
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = _current ?? await _tokens.GetZnsTokensAsync(cancellationToken).ConfigureAwait(false);
            if (stored is not null && Usable(stored, rejected))
            {
                Volatile.Write(ref _current, stored);
                return stored.AccessToken;
            }

            using var client = _http.CreateClient(OAuthClientName);
            client.Timeout = _options.Timeout;
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_options.OAuthUrl!, "v4/oa/access_token"))
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["app_id"] = _options.AppId!,
                    ["grant_type"] = "refresh_token",
                    ["refresh_token"] = stored?.RefreshToken ?? _options.RefreshToken!,
                }),
            };
            request.Headers.Add("secret_key", _options.SecretKey);
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var answer = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
            if ((string?)answer?["access_token"] is not { Length: > 0 } access || (string?)answer?["refresh_token"] is not { Length: > 0 } refresh)
            {
                Volatile.Write(ref _refreshFailing, true);
                RefreshFailed(_logger, (int)response.StatusCode, (string?)answer?["error_description"] ?? (string?)answer?["message"] ?? "no token in the answer");
                throw new HttpRequestException("the Zalo access token could not be refreshed");
            }

            var seconds = double.TryParse((string?)answer["expires_in"], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 3600;
            // Stored before use: the old refresh token is spent now, and a crash must not lose the new one.
            var rotated = new ZnsTokens(access, refresh, _time.GetUtcNow().AddSeconds(seconds * 0.9));
            await _tokens.SaveZnsTokensAsync(rotated, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, rotated);
            Volatile.Write(ref _refreshFailing, false);
            Interlocked.Increment(ref _refreshes);
            return access;
        }
        catch (JsonException ex)
        {
            throw new HttpRequestException($"the Zalo OAuth answer is not JSON: {ex.Message}", ex);
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>The fire template's fields: the person's name, the household's address, the group and the local time.</summary>
    private static JsonObject TemplateData(PersonAlert alert) => new()
    {
        ["name"] = alert.Name,
        ["address"] = alert.Address ?? "",
        ["group"] = alert.GroupName ?? "",
        ["time"] = TimeZoneInfo.ConvertTime(alert.At, VietnamTime.Zone).ToString("HH:mm dd/MM/yyyy", CultureInfo.InvariantCulture),
    };

    private bool Usable(ZnsTokens tokens, string? rejected) => tokens.AccessToken != rejected && tokens.ExpiresAt > _time.GetUtcNow();

    public void Dispose() => _refresh.Dispose();

    [LoggerMessage(EventId = 4100, Level = LogLevel.Error, Message = "ZNS: the access token could not be refreshed (HTTP {Status}): {Reason}")]
    private static partial void RefreshFailed(ILogger logger, int status, string reason);
}
