namespace EdgeWatch.Protocol;

/// <summary>Command names under <c>cmd/{name}</c>.</summary>
public static class CommandNames
{
    public const string Silence = "silence";
    public const string Reset = "reset";
    public const string SirenTest = "siren-test";
    public const string Rebirth = "rebirth";

    public static IReadOnlyList<string> All { get; } = [Silence, Reset, SirenTest, Rebirth];
}

/// <summary>Body of a command. All fields are optional.</summary>
public sealed record CommandRequest
{
    public int V { get; init; } = ProtocolVersion.Current;

    /// <summary>Who asked (an operator's name, "dashboard", …), for the event log.</summary>
    public string? Source { get; init; }

    /// <summary>For <c>siren-test</c>: how long to sound.</summary>
    public double? Seconds { get; init; }
}

/// <summary>Published to the request's MQTT 5 response topic, with its correlation data.</summary>
public sealed record CommandResponse
{
    public int V { get; init; } = ProtocolVersion.Current;
    public required string Command { get; init; }
    public required bool Accepted { get; init; }
    public required string Message { get; init; }
}
