using System.Globalization;

namespace EdgeWatch.Hardware.Profiles;

/// <summary>
/// Turns a <see cref="BoardProfileDocument"/> into a <see cref="BoardProfile"/>, or throws a
/// <see cref="BoardProfileException"/> naming the channel at fault: the same pin used twice, an unknown
/// kind, a source on a bus or chip the profile does not declare, or a kind wired to a source that cannot carry it.
/// </summary>
public static class BoardProfileValidator
{
    public static BoardProfile Validate(BoardProfileDocument doc)
    {
        var name = string.IsNullOrWhiteSpace(doc.Name) ? "(unnamed)" : doc.Name;
        string Fail(string what) => $"board profile '{name}': {what}";

        if (string.IsNullOrWhiteSpace(doc.Name))
        {
            throw new BoardProfileException(Fail("'name' is required"));
        }

        var gpioUse = new Dictionary<int, string>();
        var expanders = new Dictionary<string, ExpanderSpec>(StringComparer.Ordinal);
        var chipAddresses = new Dictionary<(int Bus, int Address), string>();
        foreach (var e in doc.Expanders)
        {
            var id = e.Id ?? throw new BoardProfileException(Fail("an expander has no 'id'"));
            if (e.Bus is not { } bus || !doc.I2cBuses.Contains(bus))
            {
                throw new BoardProfileException(Fail($"expander '{id}' is on I2C bus {Show(e.Bus)}, which the profile does not declare in 'i2cBuses'"));
            }

            if (e.Address is not { } address || address < 0x20 || address > 0x27)
            {
                throw new BoardProfileException(Fail($"expander '{id}' has address {Show(e.Address)}; an MCP23017 answers at 0x20–0x27"));
            }

            if (!chipAddresses.TryAdd((bus, address), id))
            {
                throw new BoardProfileException(Fail($"expander '{id}' uses I2C address 0x{address:x2} on bus {bus}, already used by '{chipAddresses[(bus, address)]}'"));
            }

            if (e.InterruptPin is { } intPin)
            {
                CheckGpio(intPin, $"expander '{id}' interrupt");
                gpioUse[intPin] = $"expander '{id}' interrupt";
            }

            if (!expanders.TryAdd(id, new ExpanderSpec(id, bus, address, e.InterruptPin)))
            {
                throw new BoardProfileException(Fail($"expander id '{id}' is declared twice"));
            }
        }

        var adcs = new Dictionary<string, AdcSpec>(StringComparer.Ordinal);
        foreach (var a in doc.Adcs)
        {
            var id = a.Id ?? throw new BoardProfileException(Fail("an ADC has no 'id'"));
            if (a.Bus is not { } bus || !doc.I2cBuses.Contains(bus))
            {
                throw new BoardProfileException(Fail($"ADC '{id}' is on I2C bus {Show(a.Bus)}, which the profile does not declare in 'i2cBuses'"));
            }

            if (a.Address is not { } address || address < 0x48 || address > 0x4B)
            {
                throw new BoardProfileException(Fail($"ADC '{id}' has address {Show(a.Address)}; an ADS1115 answers at 0x48–0x4b"));
            }

            if (!chipAddresses.TryAdd((bus, address), id))
            {
                throw new BoardProfileException(Fail($"ADC '{id}' uses I2C address 0x{address:x2} on bus {bus}, already used by '{chipAddresses[(bus, address)]}'"));
            }

            if (!adcs.TryAdd(id, new AdcSpec(id, bus, address)))
            {
                throw new BoardProfileException(Fail($"ADC id '{id}' is declared twice"));
            }
        }

        var sourceUse = new Dictionary<string, string>(StringComparer.Ordinal);
        var channels = new List<ChannelSpec>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < doc.Channels.Count; i++)
        {
            var c = doc.Channels[i];
            var label = c.Id ?? (c.Household is null ? c.Kind : $"{c.Household}.{c.Kind}") ?? $"#{i}";
            string ChannelFail(string what) => Fail($"channel '{label}': {what}");

            if (!ChannelKinds.TryParse(c.Kind, out var kind))
            {
                throw new BoardProfileException(ChannelFail($"unknown kind '{c.Kind}'; known kinds are {string.Join(", ", ChannelKinds.Names)}"));
            }

            var id = c.Id ?? (c.Household is null ? c.Kind! : $"{c.Household}.{c.Kind}");
            if (!ids.Add(id))
            {
                throw new BoardProfileException(ChannelFail($"channel id '{id}' is used twice; give one of them an explicit 'id'"));
            }

            var sources = (c.Gpio is not null ? 1 : 0) + (c.Expander is not null ? 1 : 0) + (c.OneWire is not null ? 1 : 0) + (c.Adc is not null ? 1 : 0);
            if (sources != 1)
            {
                throw new BoardProfileException(ChannelFail("needs exactly one of 'gpio', 'expander'+'pin', 'oneWire' or 'adc'+'adcChannel'"));
            }

            ChannelSource source;
            string key;
            if (c.Gpio is { } pin)
            {
                CheckGpio(pin, $"channel '{id}'");
                source = new GpioSource(pin);
                key = $"gpio:{pin}";
                if (gpioUse.TryGetValue(pin, out var other))
                {
                    throw new BoardProfileException(ChannelFail($"uses GPIO{pin}, already used by {other}"));
                }

                gpioUse[pin] = $"channel '{id}'";
            }
            else if (c.Expander is { } expander)
            {
                if (!expanders.ContainsKey(expander))
                {
                    throw new BoardProfileException(ChannelFail($"refers to expander '{expander}', which the profile does not declare"));
                }

                if (c.Pin is not { } xpin || xpin < 0 || xpin > 15)
                {
                    throw new BoardProfileException(ChannelFail($"expander pin {Show(c.Pin)} is out of range 0–15"));
                }

                if ((xpin == 7 || xpin == 15) && !kind.IsOutput())
                {
                    throw new BoardProfileException(ChannelFail($"expander pin {xpin} (GP{(xpin < 8 ? "A" : "B")}7) is output-only on current MCP23017 silicon; wire an input elsewhere"));
                }

                source = new ExpanderSource(expander, xpin);
                key = $"mcp:{expander}:{xpin}";
            }
            else if (c.OneWire is { } deviceId)
            {
                var bus = c.OneWireBus ?? doc.OneWireBuses.FirstOrDefault();
                if (bus is null || !doc.OneWireBuses.Contains(bus))
                {
                    throw new BoardProfileException(ChannelFail($"is on 1-Wire bus '{bus ?? "(none)"}', which the profile does not declare in 'oneWireBuses'"));
                }

                if (!deviceId.StartsWith("28-", StringComparison.Ordinal) || deviceId.Length != 15)
                {
                    throw new BoardProfileException(ChannelFail($"1-Wire id '{deviceId}' is not a DS18B20 id (28-xxxxxxxxxxxx)"));
                }

                source = new OneWireSource(bus, deviceId);
                key = $"w1:{deviceId}";
            }
            else
            {
                var adc = c.Adc!;
                if (!adcs.ContainsKey(adc))
                {
                    throw new BoardProfileException(ChannelFail($"refers to ADC '{adc}', which the profile does not declare"));
                }

                if (c.AdcChannel is not { } ach || ach < 0 || ach > 3)
                {
                    throw new BoardProfileException(ChannelFail($"ADC channel {Show(c.AdcChannel)} is out of range 0–3"));
                }

                source = new AdcSource(adc, ach);
                key = $"adc:{adc}:{ach}";
            }

            if (key.StartsWith("gpio:", StringComparison.Ordinal) is false && !sourceUse.TryAdd(key, id))
            {
                throw new BoardProfileException(ChannelFail($"uses {source}, already used by channel '{sourceUse[key]}'"));
            }

            // A kind must fit its source.
            switch (kind)
            {
                case ChannelKind.Heat when source is not OneWireSource:
                    throw new BoardProfileException(ChannelFail("a heat channel must be a DS18B20 on 1-Wire ('oneWire')"));
                case not ChannelKind.Heat when source is OneWireSource:
                    throw new BoardProfileException(ChannelFail($"a {c.Kind} channel cannot be a 1-Wire temperature probe"));
                case not (ChannelKind.Smoke or ChannelKind.CallPoint) when source is AdcSource:
                    throw new BoardProfileException(ChannelFail($"only smoke and call-point channels can be supervised ADC loops, not {c.Kind}"));
                case ChannelKind.SirenFeedback when c.Supervises is null:
                    throw new BoardProfileException(ChannelFail("a siren-feedback channel must name the siren it proves in 'supervises'"));
                default:
                    break;
            }

            if (kind.IsFireInput() && c.Household is null)
            {
                throw new BoardProfileException(ChannelFail("detectors and call points must belong to a 'household'"));
            }

            channels.Add(new ChannelSpec(id, c.Household, kind, source, c.ActiveLow, c.Supervises));
        }

        foreach (var fb in channels.Where(c => c.Kind == ChannelKind.SirenFeedback))
        {
            var siren = channels.FirstOrDefault(c => c.Id == fb.Supervises);
            if (siren is null || siren.Kind != ChannelKind.Siren)
            {
                throw new BoardProfileException(Fail($"channel '{fb.Id}': supervises '{fb.Supervises}', which is not a siren channel of this profile"));
            }
        }

        if (!channels.Any(c => c.Kind == ChannelKind.Siren))
        {
            throw new BoardProfileException(Fail("has no siren channel; a fire-safety group needs at least one"));
        }

        var bands = doc.LoopBands ?? LoopBands.Default;
        if (!(bands.ShortBelowVolts < bands.AlarmBelowVolts && bands.AlarmBelowVolts < bands.NormalUpToVolts))
        {
            throw new BoardProfileException(Fail("loopBands must satisfy shortBelowVolts < alarmBelowVolts < normalUpToVolts"));
        }

        return new BoardProfile(doc.Name!, doc.Description, doc.I2cBuses, doc.OneWireBuses, [.. expanders.Values], [.. adcs.Values], bands, channels);

        void CheckGpio(int pin, string who)
        {
            // BCM 2/3 are I2C1, 4 is the default 1-Wire pin; 0/1 are the HAT EEPROM pins.
            if (pin < 0 || pin > 27)
            {
                throw new BoardProfileException(Fail($"{who}: GPIO{pin} does not exist on a Raspberry Pi header (0–27)"));
            }

            if (pin is 0 or 1 || (doc.I2cBuses.Contains(1) && pin is 2 or 3) || (doc.OneWireBuses.Count > 0 && pin == 4))
            {
                throw new BoardProfileException(Fail($"{who}: GPIO{pin} is reserved (0/1 HAT EEPROM, 2/3 I2C1, 4 1-Wire)"));
            }
        }
    }

    private static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "(missing)";
}
