using System.Text.Json;

namespace EdgeWatch.Cloud.Notify;

/// <summary>
/// The payload of a notification to one person, whichever channel carries it: each channel renders it (a ZNS
/// template's data, an SMS text, a call). <see cref="Fallback"/> is the rest of the person's channels, tried in order
/// when this one refuses or gives up. <see cref="Details"/> marks the second, longer SMS that follows the first.
/// </summary>
public sealed record PersonAlert
{
    public const string Fire = "fire";
    public const string AllClear = "all-clear";

    /// <summary>A gateway went silent (its Will, or neither message nor keepalive for a while): to technicians.</summary>
    public const string Offline = "offline";

    /// <summary>The gateway is back: closes its offline incident.</summary>
    public const string Online = "online";

    /// <summary>A fault of a detector line, a siren, the gateway's storage… (the gateway's trouble event): to technicians.</summary>
    public const string Trouble = "trouble";

    /// <summary>Every trouble of the incident cleared: closes it.</summary>
    public const string TroubleCleared = "trouble-cleared";

    /// <summary>Motion in an armed zone: to the duty officers, with the snapshot's link.</summary>
    public const string Motion = "motion";

    /// <summary>The daily message that says the aggregator and its channels are alive: its absence is the alarm.</summary>
    public const string SelfTest = "self-test";

    /// <summary>A channel (SMS, Zalo, email) keeps failing: to technicians, through their other channels.</summary>
    public const string ChannelFailing = "channel-failing";

    /// <summary>The failing channel works again.</summary>
    public const string ChannelRecovered = "channel-recovered";

    public required string Kind { get; init; }
    public required string Name { get; init; }
    public required string Phone { get; init; }

    /// <summary>The person's email address, for the <c>email</c> channel.</summary>
    public string? Email { get; init; }
    public string? Household { get; init; }
    public string? Address { get; init; }
    public string? GroupName { get; init; }
    public string? GroupShortName { get; init; }

    /// <summary>The gateway an offline, online or trouble message is about.</summary>
    public string? Gateway { get; init; }

    /// <summary>A trouble's channel (<c>h3.heat</c>, <c>siren-1</c>, <c>outbox</c>) and cause (<c>probe-lost</c>).</summary>
    public string? Source { get; init; }
    public string? Cause { get; init; }

    /// <summary>A motion alert's camera and zone, and the signed link to its privacy-masked snapshot.</summary>
    public string? Camera { get; init; }
    public string? Zone { get; init; }
    public string? SnapshotLink { get; init; }

    /// <summary>How the registry names the camera and the zone (<c>Đầu hẻm 1</c>, <c>sân chung</c>), when it lists them.</summary>
    public string? CameraName { get; init; }
    public string? ZoneName { get; init; }

    /// <summary>The motion event whose privacy-masked snapshot a channel that carries images attaches (email).</summary>
    public Guid? SnapshotEvent { get; init; }

    /// <summary>The self-test's account of the channels (<c>Zalo OK, SMS 1/1, email OK</c>).</summary>
    public string? Summary { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>The heat detector's reading, for a heat alarm.</summary>
    public double? Celsius { get; init; }
    public required string Language { get; init; }
    public IReadOnlyList<string> Fallback { get; init; } = [];
    public bool Details { get; init; }

    /// <summary><c>member</c> of the group, or <c>officer</c> on duty.</summary>
    public string Role { get; init; } = "member";

    /// <summary>Which step of the incident sent it: empty for the first; <c>L2</c> an escalation; <c>R1</c> a reminder.</summary>
    public string Step { get; init; } = "";

    /// <summary>The signed one-click acknowledgement link, when the site has a public address.</summary>
    public string? AckLink { get; init; }

    public bool English => Language.StartsWith("en", StringComparison.OrdinalIgnoreCase);

    public string ToJson() => JsonSerializer.Serialize(this, CloudJsonContext.Default.PersonAlert);

    public static PersonAlert Parse(string json) =>
        JsonSerializer.Deserialize(json, CloudJsonContext.Default.PersonAlert) ?? throw new JsonException("an empty person alert");
}
