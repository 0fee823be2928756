using EdgeWatch.Gateway.Motion;
using EdgeWatch.Testing.Motion;

namespace EdgeWatch.Gateway.Tests.Motion;

/// <summary>Writes the evaluation set's validation half once (drawn scenes in seeds the tuning never saw, and the real footage) and scores it at 10 and 5 fps.</summary>
public sealed class ValidationHalf : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "edgewatch-validation-" + Guid.NewGuid().ToString("N"));

    public ValidationHalf()
    {
        OpenCvSharp.Cv2.SetNumThreads(1);
        var clips = EvaluationSet.Write(_dir, EvaluationSet.Validation);
        foreach (var fps in new[] { 10.0, 5.0 })
        {
            Scores[fps] = MotionScorer.Score(clips.Select(c => (c, MotionRunner.Run(c.Path, MotionSettings.Default, fps).Events)));
        }
    }

    public Dictionary<double, MotionScore> Scores { get; } = [];

    public void Dispose() => Directory.Delete(_dir, true);
}

/// <summary>
/// The validation half against the motion issue's targets, by the independent evaluation's rules (MotionScorer), at
/// the clips' 10 fps and the live cameras' 5 fps: at most 4 false alarms an hour, at most 10 % of the quiet time
/// inside events, F1 ≥ 0.95, and recall and onset recall ≥ 0.95. gateway/README.md has the table.
/// </summary>
[Trait("Category", "Integration")]
public class EvaluationSetTests(ValidationHalf half) : IClassFixture<ValidationHalf>
{
    [Theory]
    [InlineData(10.0)]
    [InlineData(5.0)]
    public void FalseAlarmsStayWithinFourAnHourOnFootageTheTuningNeverSaw(double fps)
    {
        var score = half.Scores[fps];
        Assert.True(score.FalseAlarmsPerHour <= 4, $"{fps} fps: {score}; {string.Join("; ", score.FalseAlarmList)}");
    }

    [Theory]
    [InlineData(10.0)]
    [InlineData(5.0)]
    public void EventsCoverAtMostATenthOfTheQuietTime(double fps)
    {
        var score = half.Scores[fps];
        Assert.True(score.QuietCoverage <= 0.10, $"{fps} fps: {score}");
    }

    [Theory]
    [InlineData(10.0)]
    [InlineData(5.0)]
    public void F1ReachesTheTarget(double fps)
    {
        var score = half.Scores[fps];
        Assert.True(score.F1 >= 0.95, $"{fps} fps: {score}; missed: {string.Join("; ", score.Misses)}");
    }

    [Theory]
    [InlineData(10.0)]
    [InlineData(5.0)]
    public void EveryIntruderIsFoundWithAnEventOfItsOwn(double fps)
    {
        var score = half.Scores[fps];
        Assert.True(score.Recall >= 0.95 && score.OnsetRecall >= 0.95, $"{fps} fps: {score}; missed: {string.Join("; ", score.Misses)}");
    }
}
