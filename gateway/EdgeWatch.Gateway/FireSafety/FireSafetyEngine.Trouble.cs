using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>Trouble: raised once per channel and cause, cleared once.</summary>
public sealed partial class FireSafetyEngine
{
    private void OnSirenFault(string sirenChannel, bool faulty)
    {
        // Called from the siren bank under the lock.
        SetTrouble(_board.Profile.Channel(sirenChannel), "siren-no-feedback", faulty, null, faulty ? $"no feedback within {_options.SirenConfirmTimeout.TotalMilliseconds} ms" : null);
    }

    private void OnOutputWriteFault(IDigitalOutput output, bool faulty, string? detail)
    {
        // Called from the siren bank under the lock; the bank keeps retrying the write.
        SetTrouble(output.Spec, "output-write-failed", faulty, null, detail);
    }

    /// <summary>A trouble of the gateway itself rather than of a channel (storage, configuration); <paramref name="source"/> is its channel field.</summary>
    public void ReportSystemTrouble(string source, string cause, bool on, string? detail)
    {
        lock (_gate)
        {
            SetTrouble(source, null, cause, on, null, detail);
        }
    }

    private void SetTrouble(ChannelSpec spec, string cause, bool on, double? value, string? detail) =>
        SetTrouble(spec.Id, spec.Household, cause, on, value, detail);

    private void SetTrouble(string channel, string? household, string cause, bool on, double? value, string? detail)
    {
        var key = (channel, cause);
        if (on ? !_troubles.Add(key) : !_troubles.Remove(key))
        {
            return;
        }

        if (on)
        {
            FireSafetyLog.Trouble(_logger, cause, channel, detail);
        }
        else
        {
            FireSafetyLog.TroubleCleared(_logger, cause, channel);
        }

        Emit(_events.Create(on ? FireEventKind.Trouble : FireEventKind.TroubleCleared, household, channel, cause, value, TestActive, on ? detail : null));
    }
}
