using EdgeWatch.Gateway.Motion;

namespace EdgeWatch.Gateway.Tests.Motion;

public class MotionSettingsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(40)]
    [InlineData(200)]
    public void ChromaThresholdIsOffOrInItsRange(double value)
    {
        Assert.Empty((MotionSettings.Default with { ChromaThreshold = value }).Validate());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4.9)]
    [InlineData(200.5)]
    [InlineData(-40)]
    [InlineData(double.NaN)]
    public void ChromaThresholdOutOfRangeIsRefusedNamingTheKey(double value)
    {
        var error = Assert.Single((MotionSettings.Default with { ChromaThreshold = value }).Validate());
        Assert.StartsWith("chromaThreshold must be 0 (off) or 5–200", error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-30)]
    [InlineData(3601)]
    [InlineData(double.NaN)]
    public void SignalFaultSecondsOutOfRangeIsRefusedNamingTheKey(double value)
    {
        var error = Assert.Single((MotionSettings.Default with { SignalFaultSeconds = value }).Validate());
        Assert.StartsWith("signalFaultSeconds must be 2–3600", error);
    }
}
