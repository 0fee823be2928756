using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>
/// Every siren and strobe of the group. Sirens sound together in the temporal-three cadence; strobes stay on for the
/// whole alarm, silenced or not. Each siren with a feedback input must confirm within
/// <see cref="FireSafetyOptions.SirenConfirmTimeout"/> of being driven, or it is reported as trouble.
/// All methods run under the engine's lock; the bank's own timers take the same lock.
/// </summary>
internal sealed class SirenBank : IDisposable
{
    private readonly Lock _gate;
    private readonly TimeProvider _time;
    private FireSafetyOptions _options;
    private readonly IReadOnlyList<IDigitalOutput> _sirens;
    private readonly IReadOnlyList<IDigitalOutput> _strobes;
    private readonly Dictionary<string, IDigitalInput> _feedback = [];
    private readonly HashSet<string> _confirmed = [];
    private readonly HashSet<string> _faulty = [];
    private readonly Action<string, bool> _sirenFault;
    private ITimer? _stepTimer;
    private ITimer? _confirmTimer;
    private int _step;
    private bool _driven;

    public SirenBank(Board board, Lock gate, TimeProvider time, FireSafetyOptions options, Action<string, bool> sirenFault)
    {
        _gate = gate;
        _time = time;
        _options = options;
        _sirenFault = sirenFault;
        _sirens = [.. board.Outputs.Where(o => o.Spec.Kind == ChannelKind.Siren)];
        _strobes = [.. board.Outputs.Where(o => o.Spec.Kind == ChannelKind.Strobe)];
        foreach (var fb in board.Inputs.Where(i => i.Spec.Kind == ChannelKind.SirenFeedback))
        {
            _feedback[fb.Spec.Supervises!] = fb;
            fb.Changed += OnFeedback;
        }
    }

    public bool Sounding { get; private set; }

    public void ApplyOptions(FireSafetyOptions options) => _options = options;

    /// <summary>Stopwatch timestamp at which the last siren of the group was last switched on.</summary>
    public long LastSoundedAt { get; private set; }

    public IReadOnlyCollection<string> FaultySirens => _faulty;

    public void Sound()
    {
        if (Sounding)
        {
            return;
        }

        Sounding = true;
        _step = 0;
        ApplyStep();
    }

    public void Hush()
    {
        Sounding = false;
        _stepTimer?.Dispose();
        _stepTimer = null;
        _confirmTimer?.Dispose();
        _confirmTimer = null;
        Drive(false);
    }

    public void Strobes(bool on) => Board.SetAll(_strobes, on);

    private void ApplyStep()
    {
        var (on, duration) = TemporalThree.Steps[_step];
        Drive(on);
        _stepTimer?.Dispose();
        _stepTimer = _time.CreateTimer(_ => OnStepDue(), null, duration, Timeout.InfiniteTimeSpan);
    }

    private void OnStepDue()
    {
        lock (_gate)
        {
            if (!Sounding)
            {
                return;
            }

            _step = (_step + 1) % TemporalThree.Steps.Count;
            ApplyStep();
        }
    }

    private void Drive(bool on)
    {
        if (on == _driven)
        {
            return;
        }

        _driven = on;
        if (on)
        {
            _confirmed.Clear();
            Board.SetAll(_sirens, true);
            LastSoundedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var (siren, fb) in _feedback)
            {
                if (fb.IsActive)
                {
                    _confirmed.Add(siren);
                }
            }

            if (_feedback.Count > 0)
            {
                _confirmTimer?.Dispose();
                _confirmTimer = _time.CreateTimer(_ => CheckConfirmations(), null, _options.SirenConfirmTimeout, Timeout.InfiniteTimeSpan);
            }
        }
        else
        {
            Board.SetAll(_sirens, false);
        }
    }

    private void OnFeedback(IDigitalInput input, bool active)
    {
        lock (_gate)
        {
            if (active && _driven)
            {
                _confirmed.Add(input.Spec.Supervises!);
            }
        }
    }

    private void CheckConfirmations()
    {
        lock (_gate)
        {
            foreach (var siren in _feedback.Keys)
            {
                var ok = _confirmed.Contains(siren);
                if (!ok && _faulty.Add(siren))
                {
                    _sirenFault(siren, true);
                }
                else if (ok && _faulty.Remove(siren))
                {
                    _sirenFault(siren, false);
                }
            }
        }
    }

    public void Dispose()
    {
        _stepTimer?.Dispose();
        _confirmTimer?.Dispose();
        foreach (var fb in _feedback.Values)
        {
            fb.Changed -= OnFeedback;
        }
    }
}
