using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>Contacts: change, debounce, and what a confirmed contact means.</summary>
public sealed partial class FireSafetyEngine
{
    private void OnInputChanged(IDigitalInput input, bool active)
    {
        lock (_gate)
        {
            if (_inputs.TryGetValue(input.Spec.Id, out var d))
            {
                StartDebounce(d, active);
            }
        }
    }

    private void StartDebounce(DebouncedInput d, bool target)
    {
        d.Timer?.Dispose();
        d.Timer = null;
        if (target == d.Confirmed)
        {
            return; // a glitch that came back before the debounce ran out
        }

        d.Timer = _alarmClock.CreateTimer(_ => OnDebounced(d, target), null, _options.Debounce, Timeout.InfiniteTimeSpan);
    }

    private void OnDebounced(DebouncedInput d, bool target)
    {
        lock (_gate)
        {
            d.Timer?.Dispose();
            d.Timer = null;
            if (d.Input.IsActive != target || d.Confirmed == target)
            {
                return;
            }

            d.Confirmed = target;
            var spec = d.Input.Spec;
            switch (spec.Kind)
            {
                case ChannelKind.Smoke or ChannelKind.CallPoint:
                    OnFireInput(spec, target, spec.Kind.ToName(), null);
                    break;
                case ChannelKind.MainsOk:
                    SetTrouble(spec, "mains-failure", !target, null, null);
                    break;
                case ChannelKind.Tamper:
                    SetTrouble(spec, "tamper", target, null, null);
                    break;
                case ChannelKind.Silence when target:
                    Silence($"input {spec.Id}");
                    break;
                case ChannelKind.Reset when target:
                    Reset($"input {spec.Id}");
                    break;
                default:
                    break;
            }
        }
    }

    private sealed class DebouncedInput(IDigitalInput input, bool normal)
    {
        public IDigitalInput Input { get; } = input;
        public bool Confirmed { get; set; } = normal;
        public ITimer? Timer { get; set; }
    }
}
