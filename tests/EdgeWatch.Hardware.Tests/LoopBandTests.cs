using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Hardware.Tests;

public class LoopBandTests
{
    [Theory]
    [InlineData(0.0, LoopState.ShortCircuit)]
    [InlineData(0.199, LoopState.ShortCircuit)]
    [InlineData(0.200, LoopState.Alarm)]
    [InlineData(0.37, LoopState.Alarm)]
    [InlineData(0.999, LoopState.Alarm)]
    [InlineData(1.000, LoopState.Normal)]
    [InlineData(1.65, LoopState.Normal)]
    [InlineData(2.600, LoopState.Normal)]
    [InlineData(2.601, LoopState.OpenCircuit)]
    [InlineData(3.3, LoopState.OpenCircuit)]
    [InlineData(double.NaN, LoopState.OpenCircuit)]
    public void DefaultBandsClassifyAtTheirEdges(double volts, LoopState expected) =>
        Assert.Equal(expected, LoopBands.Default.Classify(volts));

    [Fact]
    public void OverlappingBandsAreRejected()
    {
        var json = """
            { "name": "bad-bands", "loopBands": { "shortBelowVolts": 1.2, "alarmBelowVolts": 1.0, "normalUpToVolts": 2.6 },
              "channels": [ { "household": "h1", "kind": "siren", "gpio": 20 } ] }
            """;
        Assert.Contains("loopBands", Assert.Throws<BoardProfileException>(() => BoardProfiles.Parse(json)).Message);
    }
}
