namespace EdgeWatch.Hardware.Profiles;

/// <summary>A validated board profile: every channel resolved to exactly one source.</summary>
public sealed record BoardProfile(
    string Name,
    string? Description,
    IReadOnlyList<int> I2cBuses,
    IReadOnlyList<string> OneWireBuses,
    IReadOnlyList<ExpanderSpec> Expanders,
    IReadOnlyList<AdcSpec> Adcs,
    LoopBands LoopBands,
    IReadOnlyList<ChannelSpec> Channels)
{
    public IEnumerable<string> Households => Channels.Where(c => c.Household is not null).Select(c => c.Household!).Distinct();

    public ChannelSpec Channel(string id) =>
        Channels.FirstOrDefault(c => c.Id == id) ?? throw new KeyNotFoundException($"board profile '{Name}' has no channel '{id}'");
}

public sealed record ExpanderSpec(string Id, int Bus, int Address, int? InterruptPin);

public sealed record AdcSpec(string Id, int Bus, int Address);

/// <summary>Where a channel is wired.</summary>
public abstract record ChannelSource;

public sealed record GpioSource(int Pin) : ChannelSource
{
    public override string ToString() => $"GPIO{Pin}";
}

public sealed record ExpanderSource(string Expander, int Pin) : ChannelSource
{
    public override string ToString() => $"{Expander}:GP{(Pin < 8 ? "A" : "B")}{Pin % 8}";
}

public sealed record OneWireSource(string Bus, string DeviceId) : ChannelSource
{
    public override string ToString() => $"1-Wire {Bus}/{DeviceId}";
}

public sealed record AdcSource(string Adc, int Channel) : ChannelSource
{
    public override string ToString() => $"{Adc}:AIN{Channel}";
}

public sealed record ChannelSpec(string Id, string? Household, ChannelKind Kind, ChannelSource Source, bool ActiveLow, string? Supervises)
{
    public bool IsSupervisedLoop => Source is AdcSource;
}
