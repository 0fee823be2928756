using EdgeWatch.Gateway.FireSafety;

namespace EdgeWatch.Gateway.Tests;

public class FireSafetyOptionsValidatorTests
{
    [Fact]
    public void DefaultsAreValid() => Assert.True(new FireSafetyOptionsValidator().Validate(null, new FireSafetyOptions()).Succeeded);

    [Fact]
    public void HeatThresholdOutsideClassA1NamesTheKey()
    {
        var result = new FireSafetyOptionsValidator().Validate(null, new FireSafetyOptions { HeatThresholdCelsius = 70 });
        Assert.True(result.Failed);
        Assert.Contains("FireSafety:HeatThresholdCelsius", result.FailureMessage);
    }

    [Fact]
    public void ZeroDebounceNamesTheKey()
    {
        var result = new FireSafetyOptionsValidator().Validate(null, new FireSafetyOptions { Debounce = TimeSpan.Zero });
        Assert.Contains("FireSafety:Debounce", result.FailureMessage);
    }
}
