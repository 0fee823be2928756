using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Hardware.Tests;

public class BoardProfileValidationTests
{
    [Theory]
    [InlineData("rpi4-direct", 4)]
    [InlineData("rpi4-mcp23017", 8)]
    public void BuiltInProfilesLoadWithTheirHouseholds(string name, int households)
    {
        var profile = BoardProfiles.Load(name);
        Assert.Equal(households, profile.Households.Count());
        Assert.All(profile.Households, h => Assert.Contains(profile.Channels, c => c.Household == h && c.Kind == ChannelKind.Siren));
    }

    private static string Profile(string channels, string extra = "") => $$"""
        { "name": "test", "i2cBuses": [1], "oneWireBuses": ["w1"],
          "expanders": [ { "id": "mcp", "bus": 1, "address": 32 } ],
          "adcs": [ { "id": "adc", "bus": 1, "address": 72 } ] {{extra}},
          "channels": [ { "household": "h1", "kind": "siren", "gpio": 20 } {{channels}} ] }
        """;

    private static string Fails(string json) => Assert.Throws<BoardProfileException>(() => BoardProfiles.Parse(json)).Message;

    [Fact]
    public void SamePinUsedTwiceFailsNamingTheChannel()
    {
        var message = Fails(Profile(""", { "household": "h1", "kind": "smoke", "gpio": 20 }"""));
        Assert.Contains("channel 'h1.smoke'", message);
        Assert.Contains("GPIO20", message);
        Assert.Contains("h1.siren", message);
    }

    [Fact]
    public void SameExpanderPinUsedTwiceFailsNamingTheChannel()
    {
        var message = Fails(Profile("""
            , { "household": "h1", "kind": "smoke", "expander": "mcp", "pin": 3 }
            , { "household": "h2", "kind": "smoke", "expander": "mcp", "pin": 3 }
            """));
        Assert.Contains("channel 'h2.smoke'", message);
        Assert.Contains("already used by channel 'h1.smoke'", message);
    }

    [Fact]
    public void UnknownKindFailsNamingTheChannel()
    {
        var message = Fails(Profile(""", { "household": "h1", "kind": "sprinkler", "gpio": 21 }"""));
        Assert.Contains("channel 'h1.sprinkler'", message);
        Assert.Contains("unknown kind 'sprinkler'", message);
    }

    [Fact]
    public void ExpanderOnMissingBusFailsNamingTheExpander()
    {
        var json = """
            { "name": "test", "i2cBuses": [], "expanders": [ { "id": "mcp", "bus": 1, "address": 32 } ],
              "channels": [ { "household": "h1", "kind": "siren", "expander": "mcp", "pin": 7 } ] }
            """;
        Assert.Contains("expander 'mcp' is on I2C bus 1", Fails(json));
    }

    [Fact]
    public void ChannelOnUndeclaredExpanderFailsNamingTheChannel()
    {
        var message = Fails(Profile(""", { "household": "h1", "kind": "smoke", "expander": "mcp-z", "pin": 1 }"""));
        Assert.Contains("channel 'h1.smoke'", message);
        Assert.Contains("'mcp-z'", message);
    }

    [Fact]
    public void HeatProbeOnUndeclaredOneWireBusFails()
    {
        var message = Fails(Profile(""", { "household": "h1", "kind": "heat", "oneWire": "28-000000000001", "oneWireBus": "w9" }"""));
        Assert.Contains("channel 'h1.heat'", message);
        Assert.Contains("'w9'", message);
    }

    [Fact]
    public void InputOnOutputOnlyExpanderPinFails()
    {
        var message = Fails(Profile(""", { "household": "h1", "kind": "call-point", "expander": "mcp", "pin": 7 }"""));
        Assert.Contains("channel 'h1.call-point'", message);
        Assert.Contains("output-only", message);
    }

    [Fact]
    public void HeatOnAGpioPinFails() =>
        Assert.Contains("DS18B20", Fails(Profile(""", { "household": "h1", "kind": "heat", "gpio": 21 }""")));

    [Fact]
    public void SirenFeedbackMustNameASiren() =>
        Assert.Contains("not a siren channel", Fails(Profile(""", { "household": "h1", "kind": "siren-feedback", "gpio": 21, "supervises": "h1.smoke" }""")));

    [Fact]
    public void ReservedI2cPinFails() =>
        Assert.Contains("reserved", Fails(Profile(""", { "household": "h1", "kind": "smoke", "gpio": 2 }""")));

    [Fact]
    public void UnknownPropertyFailsAsInvalidJson() =>
        Assert.Contains("not valid JSON", Fails(Profile(""", { "household": "h1", "kind": "smoke", "gpoi": 21 }""")));

    [Fact]
    public void MissingProfileFileNamesTheBuiltIns() =>
        Assert.Contains("rpi4-direct", Assert.Throws<BoardProfileException>(() => BoardProfiles.Load("/nonexistent/profile.json")).Message);
}
