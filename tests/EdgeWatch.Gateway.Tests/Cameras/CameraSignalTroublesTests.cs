using EdgeWatch.Gateway.Cameras;
using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.Tests.Cameras;

public class CameraSignalTroublesTests
{
    [Fact]
    public void AFrozenCameraIsOneTroubleOnItsChannelUntilItsPictureIsBack()
    {
        using var rig = new GroupRig();
        var troubles = new CameraSignalTroubles(rig.Engine);

        troubles.Handle(new CameraSignalMessage("cam-3", "frozen", true, 42));
        troubles.Handle(new CameraSignalMessage("cam-3", "frozen", true, 43)); // said again: still one trouble
        var on = Assert.Single(rig.OfKind(FireEventKind.Trouble));
        Assert.Equal(("cameras.cam-3", "camera-frozen"), (on.Channel, on.Cause));
        Assert.Contains("42 s", on.Detail);
        Assert.Contains("camera-frozen@cameras.cam-3", rig.Engine.Troubles);

        troubles.Handle(new CameraSignalMessage("cam-3", "frozen", false, 60));
        var off = Assert.Single(rig.OfKind(FireEventKind.TroubleCleared));
        Assert.Equal(("cameras.cam-3", "camera-frozen"), (off.Channel, off.Cause));
        Assert.DoesNotContain("camera-frozen@cameras.cam-3", rig.Engine.Troubles);
    }

    [Fact]
    public void ANewCameraProcessClearsWhatTheLastOneRaised()
    {
        using var rig = new GroupRig();
        var troubles = new CameraSignalTroubles(rig.Engine);
        troubles.Handle(new CameraSignalMessage("cam-1", "signal-loss", true, 31));
        troubles.Handle(new CameraSignalMessage("cam-2", "torn", true, 33));

        troubles.ClearAll();

        Assert.Equal(["camera-no-picture", "camera-torn"], rig.OfKind(FireEventKind.TroubleCleared).Select(e => e.Cause).Order());
        Assert.DoesNotContain(rig.Engine.Troubles, t => t.StartsWith("camera-", StringComparison.Ordinal) && t.Contains("@cameras.", StringComparison.Ordinal));
    }

    [Fact]
    public void ACameraTroubleNeverSilencesTheSirens()
    {
        using var rig = new GroupRig();
        var troubles = new CameraSignalTroubles(rig.Engine);
        troubles.Handle(new CameraSignalMessage("cam-1", "signal-loss", true, 31));
        rig.Sim.Trip("h2.call-point.inside");
        rig.Advance(rig.Options.Debounce);
        Assert.Single(rig.OfKind(FireEventKind.Alarm));
        Assert.True(rig.AllSirensOn, "a call point must sound every siren while a camera is in trouble");
    }
}
