namespace EdgeWatch.Protocol;

/// <summary>
/// A node's on-site self-test (<c>EdgeWatch.Gateway selftest</c>), published on <c>selftest</c> (QoS 1, retained) as its
/// commissioning record: every input, siren, camera, the clock and the broker connection, each passed, failed or
/// warned about. Publishing it is itself the test of the node's ACL on its own topic.
/// </summary>
public sealed record SelftestReport
{
    public int V { get; init; } = ProtocolVersion.Current;
    public required string Site { get; init; }
    public required string Gateway { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>No check failed (warnings allowed).</summary>
    public required bool Passed { get; init; }

    public required IReadOnlyList<SelftestCheck> Checks { get; init; }
}

/// <summary>One check: what (<c>input h1.smoke</c>, <c>siren h1.siren</c>, <c>camera cam-1</c>, <c>clock</c>, <c>broker</c>), its result and what was found.</summary>
public sealed record SelftestCheck(string Name, SelftestResult Result, string Detail);

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<SelftestResult>))]
public enum SelftestResult
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName("pass")] Pass,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("warn")] Warn,
    [System.Text.Json.Serialization.JsonStringEnumMemberName("fail")] Fail,
}
