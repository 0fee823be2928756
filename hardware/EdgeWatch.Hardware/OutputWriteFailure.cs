using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Hardware;

/// <summary>A write to one controller's outputs that failed: which outputs kept their old state, where, and why.</summary>
public sealed record OutputWriteFailure(IReadOnlyList<IDigitalOutput> Outputs, string Controller, string Error)
{
    /// <summary>The controller a channel is wired to, as a technician finds it: "expander x1" or "GPIO 17".</summary>
    public static string ControllerOf(ChannelSpec spec) => spec.Source switch
    {
        ExpanderSource x => $"expander {x.Expander}",
        GpioSource g => $"GPIO {g.Pin}",
        var other => other.ToString(),
    };
}
