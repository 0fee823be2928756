namespace EdgeWatch.Protocol;

/// <summary>Command names under <c>cmd/{name}</c>.</summary>
public static class CommandNames
{
    public const string Silence = "silence";
    public const string Reset = "reset";
    public const string SirenTest = "siren-test";
    public const string Rebirth = "rebirth";
    public const string Arm = "arm";
    public const string Disarm = "disarm";
    public const string Snapshot = "snapshot";

    public static IReadOnlyList<string> All { get; } = [Silence, Reset, SirenTest, Arm, Disarm, Rebirth, Snapshot];
}

/// <summary>Body of a command. All fields are optional.</summary>
public sealed record CommandRequest
{
    public int V { get; init; } = ProtocolVersion.Current;

    /// <summary>Who asked (an operator's name, "dashboard", …), for the event log.</summary>
    public string? Source { get; init; }

    /// <summary>For <c>siren-test</c>: how long to sound.</summary>
    public double? Seconds { get; init; }

    /// <summary>For <c>arm</c>, <c>disarm</c> and <c>snapshot</c>: the camera.</summary>
    public string? Camera { get; init; }

    /// <summary>For <c>arm</c> and <c>disarm</c>: one zone of the camera, or every zone when omitted.</summary>
    public string? Zone { get; init; }
}

/// <summary>Published to the request's MQTT 5 response topic, with its correlation data.</summary>
public sealed record CommandResponse
{
    public int V { get; init; } = ProtocolVersion.Current;
    public required string Command { get; init; }
    public required bool Accepted { get; init; }
    public required string Message { get; init; }
}
