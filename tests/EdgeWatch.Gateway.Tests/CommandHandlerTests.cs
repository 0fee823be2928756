using EdgeWatch.Gateway.Remote;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeWatch.Gateway.Tests;

public sealed class CommandHandlerTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "edgewatch-cmd-" + Guid.NewGuid().ToString("N"));
    private readonly GroupRig _rig = new();
    private readonly RemoteConfiguration _config;
    private readonly ArmingState _arming;
    private readonly CommandHandler _handler;

    public CommandHandlerTests()
    {
        Directory.CreateDirectory(_state);
        _config = new RemoteConfiguration(_rig.Engine, _state, "gw-1", _rig.Time, NullLogger<RemoteConfiguration>.Instance);
        _arming = new ArmingState(_state);
        _handler = new CommandHandler(_rig.Engine, _config, _arming);
        _config.Apply(new DesiredConfig
        {
            Version = 1,
            Cameras = [new CameraConfig { Id = "cam-1", Zones = [new ZoneConfig { Id = "yard", Polygon = [[0, 0], [1, 0], [1, 1]] }] }],
        });
    }

    public void Dispose()
    {
        _rig.Dispose();
        Directory.Delete(_state, true);
    }

    [Fact]
    public void ArmAndDisarmAZoneArePersisted()
    {
        Assert.True(_handler.Handle(CommandNames.Disarm, new CommandRequest { Camera = "cam-1", Zone = "yard" }).Accepted);
        Assert.False(new ArmingState(_state).Override("cam-1", "yard"));
        Assert.True(_handler.Handle(CommandNames.Arm, new CommandRequest { Camera = "cam-1" }).Accepted);
        Assert.True(new ArmingState(_state).Override("cam-1", "yard"));
    }

    [Theory]
    [InlineData("arm", null, null, "needs 'camera'")]
    [InlineData("arm", "cam-9", null, "not in this gateway's configuration")]
    [InlineData("disarm", "cam-1", "porch", "has no zone 'porch'")]
    [InlineData("launch", null, null, "unknown command 'launch'")]
    [InlineData("snapshot", "cam-1", null, "no running capture pipeline")]
    public void BadCommandsAreRefusedWithAReason(string name, string? camera, string? zone, string reason)
    {
        var result = _handler.Handle(name, new CommandRequest { Camera = camera, Zone = zone });
        Assert.False(result.Accepted);
        Assert.Contains(reason, result.Message);
    }

    [Fact]
    public void SirenTestWithAnAbsurdLengthIsRefused() =>
        Assert.Contains("at most 600", _handler.Handle(CommandNames.SirenTest, new CommandRequest { Seconds = 86400 }).Message);

    [Fact]
    public void ResetCommandIsRefusedWhileADetectorIsActive()
    {
        _rig.Sim.Trip("h5.smoke");
        _rig.Advance(TimeSpan.FromMilliseconds(200));
        var result = _handler.Handle(CommandNames.Reset, new CommandRequest { Source = "duty" });
        Assert.False(result.Accepted);
        Assert.Contains("h5.smoke", result.Message);
    }

    [Fact]
    public void OlderConfigurationVersionIsRejected()
    {
        var report = _config.Apply(new DesiredConfig { Version = 0 });
        Assert.False(report.Applied);
        Assert.Contains("older than the running version 1", Assert.Single(report.Errors));
    }
}
