using EdgeWatch.Gateway.Cameras;
using EdgeWatch.Gateway.Motion;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

public class CameraGeometryTests
{
    private static readonly CameraOptions Camera = new()
    {
        Id = "cam-1",
        Url = "x",
        Zones =
        [
            new ZoneOptions { Id = "road", Polygon = [[0, 0], [0.5, 0], [0.5, 1], [0, 1]], Sensitivity = 0.0 },
            new ZoneOptions { Id = "door", Polygon = [[0.5, 0], [1, 0], [1, 1], [0.5, 1]], Sensitivity = 1.0 },
        ],
        PrivacyMasks = [[[0.9, 0.9], [1, 0.9], [1, 1]]],
    };

    [Fact]
    public void EachZoneUsesItsOwnSensitivity()
    {
        var geometry = new CameraGeometry(Camera, 640, 360);
        // 0.008 of the frame: too small for the insensitive road (needs 0.015), enough at the sensitive door (0.005).
        var onRoad = new Rect(100, 100, 64, 29);
        var atDoor = new Rect(420, 100, 64, 29);
        var result = geometry.ApplyZoneSensitivity(new FrameMotion(true, [onRoad, atDoor], 0.016, false), 0.01);
        Assert.Equal([atDoor], result.Boxes);
        Assert.Equal(["door"], geometry.ZonesOf(result.Boxes));

        var roadOnly = geometry.ApplyZoneSensitivity(new FrameMotion(true, [onRoad], 0.008, false), 0.01);
        Assert.False(roadOnly.Moving);
    }

    [Fact]
    public void AnalysisMaskExcludesPrivacyAreas()
    {
        var geometry = new CameraGeometry(Camera, 640, 360);
        using var mask = geometry.AnalysisMask()!;
        Assert.Equal(0, mask.At<byte>(355, 635));
        Assert.Equal(255, mask.At<byte>(100, 100));
        using var privacy = geometry.PrivacyMask()!;
        Assert.Equal(255, privacy.At<byte>(355, 635));
        Assert.Equal(0, privacy.At<byte>(100, 100));
    }

    [Theory]
    [InlineData("22:00-05:00", 23, 30, true)]
    [InlineData("22:00-05:00", 4, 59, true)]
    [InlineData("22:00-05:00", 12, 0, false)]
    [InlineData("always", 12, 0, true)]
    public void ScheduleArmsTheZone(string window, int hour, int minute, bool armed) =>
        Assert.Equal(armed, ArmingSchedule.IsArmed(new ZoneOptions { Id = "z", Armed = [window] }, new TimeOnly(hour, minute), null));

    [Fact]
    public void ManualOverrideBeatsTheSchedule() =>
        Assert.False(ArmingSchedule.IsArmed(new ZoneOptions { Id = "z", Armed = ["always"] }, new TimeOnly(1, 0), manualOverride: false));
}
