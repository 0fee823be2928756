namespace EdgeWatch.Hardware.Profiles;

/// <summary>What a board channel is wired to. Profile JSON uses the kebab-case names in <see cref="ChannelKinds"/>.</summary>
public enum ChannelKind
{
    /// <summary>Smoke detector relay contact, or a supervised conventional loop read through an ADS1115.</summary>
    Smoke,
    /// <summary>DS18B20 heat probe on 1-Wire.</summary>
    Heat,
    /// <summary>Manual call point (push button).</summary>
    CallPoint,
    /// <summary>Siren or bell, driven through a relay.</summary>
    Siren,
    /// <summary>Proof that a siren really runs: the relay's auxiliary contact or a current-sense module.</summary>
    SirenFeedback,
    /// <summary>Visual alarm.</summary>
    Strobe,
    /// <summary>Mains present (active while mains is OK).</summary>
    MainsOk,
    /// <summary>Enclosure tamper switch (active when the box is opened).</summary>
    Tamper,
    /// <summary>Panel key switch or button: silence sirens.</summary>
    Silence,
    /// <summary>Panel key switch or button: reset the group.</summary>
    Reset,
}

public static class ChannelKinds
{
    private static readonly Dictionary<string, ChannelKind> ByName = new(StringComparer.Ordinal)
    {
        ["smoke"] = ChannelKind.Smoke,
        ["heat"] = ChannelKind.Heat,
        ["call-point"] = ChannelKind.CallPoint,
        ["siren"] = ChannelKind.Siren,
        ["siren-feedback"] = ChannelKind.SirenFeedback,
        ["strobe"] = ChannelKind.Strobe,
        ["mains-ok"] = ChannelKind.MainsOk,
        ["tamper"] = ChannelKind.Tamper,
        ["silence"] = ChannelKind.Silence,
        ["reset"] = ChannelKind.Reset,
    };

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryParse(string? name, out ChannelKind kind) => ByName.TryGetValue(name ?? string.Empty, out kind);

    public static string ToName(this ChannelKind kind) => ByName.First(p => p.Value == kind).Key;

    public static bool IsOutput(this ChannelKind kind) => kind is ChannelKind.Siren or ChannelKind.Strobe;

    /// <summary>Inputs whose activation is a fire alarm.</summary>
    public static bool IsFireInput(this ChannelKind kind) => kind is ChannelKind.Smoke or ChannelKind.CallPoint or ChannelKind.Heat;
}
