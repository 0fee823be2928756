using EdgeWatch.Gateway.Motion;
using EdgeWatch.Testing.Motion;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Tests.Motion;

/// <summary>The HOG person check on people cut from real footage (vtest.avi), pasted on the empty square.</summary>
public class PersonCheckTests
{
    private static (int People, int Found, int EmptyHits) Score()
    {
        using var vtest = VtestPeople.Load(EdgeWatch.Testing.Repo.Sample("vtest.avi"));
        using var check = new PersonCheck();
        var (found, emptyHits) = (0, 0);
        var people = vtest.People.Take(24).ToList();
        for (var i = 0; i < people.Count; i++)
        {
            var cutout = people[i];
            var box = new Rect(40 + (i % 6 * 95), 200 - cutout.Image.Height, cutout.Image.Width, cutout.Image.Height);
            using var scene = vtest.Plate.Clone();
            using (var at = new Mat(scene, box))
            {
                cutout.Image.CopyTo(at, cutout.Mask);
            }

            found += check.Check(scene, [box]) == true ? 1 : 0;
            emptyHits += check.Check(vtest.Plate, [box]) == true ? 1 : 0;
        }

        return (people.Count, found, emptyHits);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public void FindsMostPeopleCutFromRealFootageAndFewInTheEmptySquare()
    {
        var (people, found, emptyHits) = Score();
        Assert.True(people >= 10, $"only {people} people cut from vtest.avi");
        Assert.True(found >= people / 2, $"{found} of {people} people found");
        Assert.True(emptyHits <= people / 8, $"{emptyHits} of {people} empty boxes taken for a person");
    }

    [Fact]
    public void BoxesTooSmallToCheckAreUnknownAndNoBoxesAreUnknown()
    {
        using var check = new PersonCheck();
        using var frame = new Mat(360, 640, MatType.CV_8UC3, Scalar.All(90));
        Assert.Null(check.Check(frame, [new Rect(100, 100, 8, 10)]));
        Assert.Null(check.Check(frame, []));
        Assert.False(check.Check(frame, [new Rect(100, 100, 30, 60)]));
    }

    [Fact]
    public void AZoneThatRequiresAPersonCountsOnlyWhenTheCheckFoundOneOrCouldNotRun()
    {
        var camera = new CameraOptions
        {
            Id = "cam-1",
            Url = "x",
            Zones =
            [
                new ZoneOptions { Id = "yard", Polygon = [[0, 0], [1, 0], [1, 1], [0, 1]] },
                new ZoneOptions { Id = "gate", Polygon = [[0, 0], [1, 0], [1, 1], [0, 1]], RequirePerson = true },
            ],
        };
        var geometry = new CameraGeometry(camera, 640, 360);
        var update = new MotionEventUpdate("start", 0, 0, [new Rect(100, 100, 40, 80)], 0.01);
        Assert.Equal(["yard"], CameraAnalysis.Zones(camera, geometry, update, person: false));
        Assert.Equal(["yard", "gate"], CameraAnalysis.Zones(camera, geometry, update, person: true));
        Assert.Equal(["yard", "gate"], CameraAnalysis.Zones(camera, geometry, update, person: null)); // unknown never silences a zone
    }
}
