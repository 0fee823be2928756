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
public sealed partial class ProtocolJsonContext : JsonSerializerContext;

/// <summary>Serialises and validates payloads. Bad payloads give a <see cref="PayloadException"/> that says what is wrong.</summary>
public static class ProtocolJson
{
    public static byte[] Serialize(FireEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, ProtocolJsonContext.Default.FireEvent);
    public static byte[] Serialize(GatewayStatus s) => JsonSerializer.SerializeToUtf8Bytes(s, ProtocolJsonContext.Default.GatewayStatus);
    public static byte[] Serialize(CommandResponse r) => JsonSerializer.SerializeToUtf8Bytes(r, ProtocolJsonContext.Default.CommandResponse);
    public static byte[] Serialize(CommandRequest r) => JsonSerializer.SerializeToUtf8Bytes(r, ProtocolJsonContext.Default.CommandRequest);

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
