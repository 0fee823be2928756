namespace EdgeWatch.Testing.Motion;

/// <summary>When an intruder (a person or a vehicle) is really in a clip: from a quarter of it in view to less than a quarter.</summary>
public sealed record Intruder(string Kind, double Start, double End);

/// <summary>When a distractor (foliage, a shadow, headlights, an insect, a fault) is in a clip, for the false-alarm breakdown.</summary>
public sealed record Distractor(string Kind, double Start, double End);

/// <summary>A labelled clip of the evaluation set: generated (drawn, so its truth is exact) or real footage labelled by hand.</summary>
public sealed record MotionClip(string Name, string Path, string Half, double Seconds, IReadOnlyList<Intruder> Intruders, IReadOnlyList<Distractor> Distractors);

/// <summary>A detected motion event, in seconds of the clip, and whether a person check saw a person.</summary>
public sealed record ScoredEvent(double Start, double End, string? Person = null);
