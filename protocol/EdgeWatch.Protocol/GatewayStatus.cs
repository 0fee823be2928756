namespace EdgeWatch.Protocol;

/// <summary>Retained on <c>status</c>: the birth message says online, the Will says offline.</summary>
public sealed record GatewayStatus
{
    public int V { get; init; } = ProtocolVersion.Current;
    public required string Gateway { get; init; }
    public required bool Online { get; init; }
    public string? Group { get; init; }
    public string? Version { get; init; }
    public DateTimeOffset? Since { get; init; }
}

public static class ProtocolVersion
{
    public const int Current = 1;
}
