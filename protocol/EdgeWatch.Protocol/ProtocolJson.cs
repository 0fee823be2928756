using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeWatch.Protocol;

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(FireEvent))]
[JsonSerializable(typeof(GatewayStatus))]
[JsonSerializable(typeof(CommandRequest))]
[JsonSerializable(typeof(CommandResponse))]
[JsonSerializable(typeof(Heartbeat))]
[JsonSerializable(typeof(MotionEvent))]
[JsonSerializable(typeof(DesiredConfig))]
[JsonSerializable(typeof(ReportedConfig))]
[JsonSerializable(typeof(Acknowledgement))]
[JsonSerializable(typeof(SelftestReport))]
[JsonSerializable(typeof(CertificateRenewalRequest))]
[JsonSerializable(typeof(CertificateRenewalAnswer))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;

/// <summary>Serialises and validates payloads. Bad payloads give a <see cref="PayloadException"/> that says what is wrong.</summary>
public static class ProtocolJson
{
    public static byte[] Serialize(FireEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, ProtocolJsonContext.Default.FireEvent);
    public static byte[] Serialize(GatewayStatus s) => JsonSerializer.SerializeToUtf8Bytes(s, ProtocolJsonContext.Default.GatewayStatus);
    public static byte[] Serialize(CommandResponse r) => JsonSerializer.SerializeToUtf8Bytes(r, ProtocolJsonContext.Default.CommandResponse);
    public static byte[] Serialize(CommandRequest r) => JsonSerializer.SerializeToUtf8Bytes(r, ProtocolJsonContext.Default.CommandRequest);

    public static byte[] Serialize(Heartbeat h) => JsonSerializer.SerializeToUtf8Bytes(h, ProtocolJsonContext.Default.Heartbeat);
    public static byte[] Serialize(MotionEvent m) => JsonSerializer.SerializeToUtf8Bytes(m, ProtocolJsonContext.Default.MotionEvent);
    public static byte[] Serialize(DesiredConfig c) => JsonSerializer.SerializeToUtf8Bytes(c, ProtocolJsonContext.Default.DesiredConfig);
    public static byte[] Serialize(ReportedConfig c) => JsonSerializer.SerializeToUtf8Bytes(c, ProtocolJsonContext.Default.ReportedConfig);
    public static byte[] Serialize(Acknowledgement a) => JsonSerializer.SerializeToUtf8Bytes(a, ProtocolJsonContext.Default.Acknowledgement);
    public static byte[] Serialize(SelftestReport r) => JsonSerializer.SerializeToUtf8Bytes(r, ProtocolJsonContext.Default.SelftestReport);
    public static SelftestReport DeserializeSelftest(ReadOnlySpan<byte> utf8) => Read(utf8, ProtocolJsonContext.Default.SelftestReport, "self-test report");
    public static byte[] Serialize(CertificateRenewalRequest r) => JsonSerializer.SerializeToUtf8Bytes(r, ProtocolJsonContext.Default.CertificateRenewalRequest);
    public static byte[] Serialize(CertificateRenewalAnswer a) => JsonSerializer.SerializeToUtf8Bytes(a, ProtocolJsonContext.Default.CertificateRenewalAnswer);

    public static CertificateRenewalRequest DeserializeRenewalRequest(ReadOnlySpan<byte> utf8) =>
        Read(utf8, ProtocolJsonContext.Default.CertificateRenewalRequest, "certificate request") is { Csr.Length: > 0, Site.Length: > 0, Gateway.Length: > 0 } r && r.RequestId != Guid.Empty
            ? r
            : throw new PayloadException("certificate request lacks site, gateway, requestId or csr");

    public static CertificateRenewalAnswer DeserializeRenewalAnswer(ReadOnlySpan<byte> utf8) =>
        Read(utf8, ProtocolJsonContext.Default.CertificateRenewalAnswer, "certificate answer") is { } a && a.RequestId != Guid.Empty && (a.Certificate is null) != (a.Error is null)
            ? a
            : throw new PayloadException("certificate answer needs a requestId and either certificate or error");

    public static Acknowledgement DeserializeAck(ReadOnlySpan<byte> utf8) => Read(utf8, ProtocolJsonContext.Default.Acknowledgement, "acknowledgement");

    public static Heartbeat DeserializeHeartbeat(ReadOnlySpan<byte> utf8) => Read(utf8, ProtocolJsonContext.Default.Heartbeat, "heartbeat");
    public static MotionEvent DeserializeMotion(ReadOnlySpan<byte> utf8) => Read(utf8, ProtocolJsonContext.Default.MotionEvent, "motion event");
    public static DesiredConfig DeserializeDesiredConfig(ReadOnlySpan<byte> utf8) => Read(utf8, ProtocolJsonContext.Default.DesiredConfig, "desired configuration");
    public static ReportedConfig DeserializeReportedConfig(ReadOnlySpan<byte> utf8) => Read(utf8, ProtocolJsonContext.Default.ReportedConfig, "reported configuration");

    private static T Read<T>(ReadOnlySpan<byte> utf8, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
        where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(utf8, type);
        }
        catch (JsonException ex)
        {
            throw new PayloadException($"{what} is not valid JSON for schema v{ProtocolVersion.Current}: {ex.Message}", ex);
        }

        return value ?? throw new PayloadException($"{what} payload is null");
    }

    public static GatewayStatus DeserializeStatus(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, ProtocolJsonContext.Default.GatewayStatus) ?? throw new PayloadException("status payload is null");
        }
        catch (JsonException ex)
        {
            throw new PayloadException($"status is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>An empty body is a request with no options.</summary>
    public static CommandRequest DeserializeCommand(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return new CommandRequest();
        }

        try
        {
            return JsonSerializer.Deserialize(utf8, ProtocolJsonContext.Default.CommandRequest) ?? new CommandRequest();
        }
        catch (JsonException ex)
        {
            throw new PayloadException($"command body is not valid JSON: {ex.Message}", ex);
        }
    }

    public static FireEvent DeserializeFireEvent(ReadOnlySpan<byte> utf8)
    {
        FireEvent? e;
        try
        {
            e = JsonSerializer.Deserialize(utf8, ProtocolJsonContext.Default.FireEvent);
        }
        catch (JsonException ex)
        {
            throw new PayloadException($"fire event is not valid JSON for schema v{ProtocolVersion.Current}: {ex.Message}", ex);
        }

        if (e is null)
        {
            throw new PayloadException("fire event payload is null");
        }

        if (e.V != ProtocolVersion.Current)
        {
            throw new PayloadException($"fire event has unsupported version v={e.V} (this build speaks v{ProtocolVersion.Current})");
        }

        if (e.Id == Guid.Empty)
        {
            throw new PayloadException("fire event has an empty id");
        }

        if (e.Seq < 0)
        {
            throw new PayloadException($"fire event {e.Id} has a negative seq {e.Seq}");
        }

        if (string.IsNullOrWhiteSpace(e.Gateway) || string.IsNullOrWhiteSpace(e.Group) || string.IsNullOrWhiteSpace(e.Site))
        {
            throw new PayloadException($"fire event {e.Id} lacks site, gateway or group");
        }

        return e;
    }
}

public sealed class PayloadException : Exception
{
    public PayloadException(string message) : base(message) { }
    public PayloadException(string message, Exception inner) : base(message, inner) { }
    public PayloadException() { }
}
