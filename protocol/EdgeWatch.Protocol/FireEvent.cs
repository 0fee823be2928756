using System.Text.Json.Serialization;

namespace EdgeWatch.Protocol;

/// <summary>What happened in a fire-safety group. Serialised in kebab-case (<c>trouble-cleared</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FireEventKind>))]
public enum FireEventKind
{
    /// <summary>A detector or call point went into alarm; every siren of the group sounds.</summary>
    [JsonStringEnumMemberName("alarm")] Alarm,
    /// <summary>A detector that was in alarm is back to normal. The group stays in alarm until reset.</summary>
    [JsonStringEnumMemberName("restore")] Restore,
    /// <summary>Sirens were silenced; the alarm stays active.</summary>
    [JsonStringEnumMemberName("silence")] Silence,
    /// <summary>Sirens sound again after a silence (silence expired or another detector tripped).</summary>
    [JsonStringEnumMemberName("resound")] Resound,
    /// <summary>The group returned to normal.</summary>
    [JsonStringEnumMemberName("reset")] Reset,
    /// <summary>A fault: probe lost, open or short loop, dead siren, mains failure, tamper.</summary>
    [JsonStringEnumMemberName("trouble")] Trouble,
    /// <summary>A fault went away.</summary>
    [JsonStringEnumMemberName("trouble-cleared")] TroubleCleared,
    /// <summary>A siren test started or ended (always has <c>test: true</c>).</summary>
    [JsonStringEnumMemberName("siren-test")] SirenTest,
}

/// <summary>
/// One fire-safety event from a gateway (topic <c>evt/fire</c> or <c>evt/trouble</c>).
/// <see cref="Id"/> is a UUIDv7 and the deduplication key end to end.
/// </summary>
public sealed record FireEvent
{
    /// <summary>Payload schema version.</summary>
    public int V { get; init; } = ProtocolVersion.Current;

    public required Guid Id { get; init; }

    /// <summary>Per-gateway sequence number, strictly increasing for the life of the gateway's store.</summary>
    public required long Seq { get; init; }

    public required string Site { get; init; }
    public required string Gateway { get; init; }
    public required string Group { get; init; }

    /// <summary>Identifies one run of the gateway process; <see cref="MonotonicMs"/> counts from that run's start.</summary>
    public Guid Boot { get; init; }

    public required FireEventKind Kind { get; init; }

    /// <summary>Household id, or null for group-level events (silence, reset, mains).</summary>
    public string? Household { get; init; }

    /// <summary>Board channel id, for example <c>h3.smoke</c>.</summary>
    public string? Channel { get; init; }

    /// <summary>Why: <c>smoke</c>, <c>call-point</c>, <c>heat-fixed</c>, <c>heat-rate-of-rise</c>, <c>probe-lost</c>, <c>loop-open</c>, …</summary>
    public string? Cause { get; init; }

    /// <summary>A measured value where there is one (°C for heat, volts for a supervised loop).</summary>
    public double? Value { get; init; }

    /// <summary>
    /// The alarm this event belongs to: the id of the first alarm event since the group was last normal. Set on the
    /// alarm, restore, silence, resound and reset events of that alarm, and on the alarm a restarted gateway resumes
    /// from its persisted latch (cause <c>resumed</c>), so the aggregator joins them into one alarm. Null otherwise.
    /// </summary>
    public Guid? AlarmId { get; init; }

    /// <summary>For a technician, on trouble: where and why (for example <c>expander x1: did not acknowledge the write</c>).</summary>
    public string? Detail { get; init; }

    /// <summary>True for anything caused by a siren test. Never notify residents about a test as if it were a fire.</summary>
    public bool Test { get; init; }

    /// <summary>Gateway wall-clock time. Only trustworthy when <see cref="ClockSynced"/>.</summary>
    public required DateTimeOffset WallTime { get; init; }

    /// <summary>Milliseconds on the gateway's monotonic clock (since its boot).</summary>
    public required long MonotonicMs { get; init; }

    public required bool ClockSynced { get; init; }

    /// <summary>True for events raised by fire inputs (alarm lane); false for trouble-lane events.</summary>
    [JsonIgnore]
    public bool IsFireLane => Kind is not (FireEventKind.Trouble or FireEventKind.TroubleCleared);

    [JsonIgnore]
    public Lane Lane => IsFireLane ? Lane.Fire : Lane.Trouble;
}
