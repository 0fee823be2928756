namespace EdgeWatch.Cloud.Notify;

/// <summary>The webhook body for an alarm: who is in danger and whom to call.</summary>
public sealed record Notification
{
    public required Guid EventId { get; init; }

    /// <summary>The fire incident: the alarm's id. Further detectors and a resumed alarm join it.</summary>
    public Guid IncidentId { get; init; }
    public required string Kind { get; init; }
    public required string Site { get; init; }
    public required string Group { get; init; }
    public string? GroupName { get; init; }
    public string? GroupShortName { get; init; }
    public required string Gateway { get; init; }
    public string? Household { get; init; }
    public string? Address { get; init; }
    public string? Channel { get; init; }
    public string? Cause { get; init; }

    /// <summary>The measured value of the alarm, where there is one (°C for heat).</summary>
    public double? Value { get; init; }
    public required DateTimeOffset WallTime { get; init; }
    public required IReadOnlyList<NotifiedMember> Members { get; init; }

    /// <summary>The message people read, in the site's language (Vietnamese by default).</summary>
    public string? Text { get; init; }
}

public sealed record NotifiedMember(string Name, string Phone, string Household)
{
    /// <summary>The person's channels in order of preference (<c>zns</c>, <c>sms</c>, <c>call</c>, <c>email</c>).</summary>
    public IReadOnlyList<string> Channels { get; init; } = ["zns", "sms"];

    /// <summary>The person's language; null for the site's.</summary>
    public string? Language { get; init; }

    /// <summary>The person's email address, for the <c>email</c> channel.</summary>
    public string? Email { get; init; }
}
