using System.Device.Gpio;
using EdgeWatch.Gateway.Commissioning;
using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Hardware.Simulation;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Gateway.Tests.Commissioning;

/// <summary>The self-test's hardware checks on the simulated board: every input and siren, and faults named.</summary>
public sealed class SelftestChecksTests : IDisposable
{
    private static readonly TimeSpan Pulse = TimeSpan.FromMilliseconds(10);
    private readonly SimulatedBoard _sim;
    private readonly GpioController _gpio;
    private readonly Board _board;

    public SelftestChecksTests()
    {
        _sim = new SimulatedBoard(BoardProfiles.Load("rpi4-mcp23017"), new FakeTimeProvider(DateTimeOffset.UtcNow));
        _gpio = new GpioController(_sim.Driver);
        _board = _sim.Open(_gpio);
    }

    public void Dispose()
    {
        _board.Dispose();
        _gpio.Dispose();
    }

    [Fact]
    public async Task ANormalBoardPassesEveryInputAndSirenWithItsFeedback()
    {
        var inputs = SelftestChecks.Inputs(_board).ToList();
        Assert.NotEmpty(inputs);
        Assert.All(inputs, c => Assert.Equal(SelftestResult.Pass, c.Result));
        Assert.Contains(inputs, c => c.Name == "loop h1.smoke" && c.Detail.Contains(" V", StringComparison.Ordinal)); // a supervised loop, with its voltage
        Assert.Contains(inputs, c => c.Name.StartsWith("heat ", StringComparison.Ordinal) && c.Detail.Contains("°C", StringComparison.Ordinal));
        Assert.DoesNotContain(inputs, c => c.Name.Contains("feedback", StringComparison.OrdinalIgnoreCase) || c.Name.EndsWith("-fb", StringComparison.Ordinal));

        var sirens = await SelftestChecks.SirensAsync(_board, Pulse, yes: true, TextWriter.Null, TextReader.Null, TimeProvider.System);
        Assert.Equal(_board.Outputs.Count(o => o.Spec.Kind == ChannelKind.Siren), sirens.Count);
        Assert.All(sirens, c => Assert.Equal(SelftestResult.Pass, c.Result));
        Assert.Contains("followed it", sirens[0].Detail, StringComparison.Ordinal);
        Assert.All(_board.Outputs, o => Assert.False(o.IsOn)); // every siren is off again
    }

    [Fact]
    public async Task ADetectorInAlarmAndADeadSirenFailAndSayWhatToCheck()
    {
        _sim.Trip("h2.smoke");
        _sim.KillSiren("h3.siren");
        var inputs = SelftestChecks.Inputs(_board).ToList();
        var smoke = inputs.Single(c => c.Name == "loop h2.smoke");
        Assert.Equal(SelftestResult.Fail, smoke.Result);
        Assert.Contains("clear it and test again", smoke.Detail, StringComparison.Ordinal);
        Assert.Single(inputs, c => c.Result == SelftestResult.Fail);

        var sirens = await SelftestChecks.SirensAsync(_board, Pulse, yes: true, TextWriter.Null, TextReader.Null, TimeProvider.System);
        var dead = sirens.Single(c => c.Name == "siren h3.siren");
        Assert.Equal(SelftestResult.Fail, dead.Result);
        Assert.Contains("stayed open", dead.Detail, StringComparison.Ordinal);
        Assert.Single(sirens, c => c.Result == SelftestResult.Fail);
    }

    [Fact]
    public async Task TheTechnicianIsAskedAboutEachSirenAndANoFails()
    {
        var answers = string.Join('\n', Enumerable.Range(0, 8).Select(i => i == 1 ? "n" : "y")) + "\n";
        using var asked = new StringWriter();
        var sirens = await SelftestChecks.SirensAsync(_board, Pulse, yes: false, asked, new StringReader(answers), TimeProvider.System);
        Assert.Contains("Did h1.siren", asked.ToString(), StringComparison.Ordinal);
        Assert.Equal(SelftestResult.Fail, sirens[1].Result);
        Assert.Contains("did not hear it", sirens[1].Detail, StringComparison.Ordinal);
        Assert.Equal(sirens.Count - 1, sirens.Count(c => c.Result == SelftestResult.Pass));
    }

    [Fact]
    public void AnUnsetClockIsAWarningNeverAFailure()
    {
        var check = SelftestChecks.Clock(new DateTimeOffset(1970, 1, 1, 0, 0, 42, TimeSpan.Zero));
        Assert.Equal(SelftestResult.Warn, check.Result);
        Assert.Contains("1970-01-01", check.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--pulse", "99")]
    [InlineData("--pulse", "loud")]
    [InlineData("--pulse")]
    public async Task ABadPulseIsRefusedWithOneClearLineAndExitCode2(params string[] args)
    {
        using var output = new StringWriter();
        Assert.Equal(2, await SelftestCommand.RunAsync(args, output, TextReader.Null));
        Assert.Equal("selftest: --pulse takes seconds, 0–30 (a siren sounds that long)", output.ToString().Trim());
    }
}
