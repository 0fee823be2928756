namespace EdgeWatch.Hardware.Profiles;

// The JSON shape of a board profile, as people write it. BoardProfileValidator turns it into a BoardProfile.

public sealed class BoardProfileDocument
{
    public string? Name { get; set; }
    public string? Description { get; set; }

    /// <summary>I2C bus numbers present on this board (for example 1 for /dev/i2c-1).</summary>
    public List<int> I2cBuses { get; set; } = [];

    /// <summary>1-Wire bus ids present on this board (for example <c>w1_bus_master1</c>).</summary>
    public List<string> OneWireBuses { get; set; } = [];

    public List<ExpanderDocument> Expanders { get; set; } = [];
    public List<AdcDocument> Adcs { get; set; } = [];
    public LoopBands? LoopBands { get; set; }
    public List<ChannelDocument> Channels { get; set; } = [];
}

public sealed class ExpanderDocument
{
    public string? Id { get; set; }
    public int? Bus { get; set; }
    public int? Address { get; set; }

    /// <summary>Pi GPIO wired to the expander's INTA (mirrored). Null means the expander is polled.</summary>
    public int? InterruptPin { get; set; }
}

public sealed class AdcDocument
{
    public string? Id { get; set; }
    public int? Bus { get; set; }
    public int? Address { get; set; }
}

public sealed class ChannelDocument
{
    /// <summary>Channel id; defaults to <c>{household}.{kind}</c>, or <c>{kind}</c> for panel channels.</summary>
    public string? Id { get; set; }
    public string? Household { get; set; }
    public string? Kind { get; set; }

    /// <summary>Pi GPIO (BCM numbering).</summary>
    public int? Gpio { get; set; }

    /// <summary>MCP23017 expander id and pin (0–15: GPA0–7 are 0–7, GPB0–7 are 8–15).</summary>
    public string? Expander { get; set; }
    public int? Pin { get; set; }

    /// <summary>DS18B20 device id (for example <c>28-000005e2fdc3</c>) and optional bus.</summary>
    public string? OneWire { get; set; }
    public string? OneWireBus { get; set; }

    /// <summary>ADS1115 id and single-ended channel (0–3): a supervised loop with an end-of-line resistor.</summary>
    public string? Adc { get; set; }
    public int? AdcChannel { get; set; }

    /// <summary>True when the input is active at a low level (contact to ground with pull-up), or the output drives low to switch on.</summary>
    public bool ActiveLow { get; set; }

    /// <summary>For <c>siren-feedback</c>: the siren channel it proves.</summary>
    public string? Supervises { get; set; }
}
