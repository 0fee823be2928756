using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>
/// Every siren and strobe of the group. Sirens sound together in the temporal-three cadence; strobes stay on for the
/// whole alarm, silenced or not. Each siren with a feedback input must confirm within
/// <see cref="FireSafetyOptions.SirenConfirmTimeout"/> of being driven, or it is reported as trouble.
/// All methods run under the engine's lock; the bank's own timers take the same lock.
/// <para>
/// What an output is known to be is what was written successfully (<see cref="IDigitalOutput.IsOn"/>), never what was
/// intended. A write that fails (an expander that NAKs, a bus error) is retried on every cadence step and at least every
/// <see cref="RetryInterval"/> until it succeeds; the other controllers are written regardless, and the failing outputs
/// are reported as trouble until a write succeeds again.
/// </para>
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
    private readonly Action<IDigitalOutput, bool, string?> _writeFault;
    private readonly HashSet<string> _writeFaulty = [];
    private ITimer? _stepTimer;
    private ITimer? _retryTimer;
    private bool _strobesWanted;
    private ITimer? _confirmTimer;
    private int _step;
    private bool _driven;

    /// <summary>How often a failed output write is retried while it keeps failing.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);

    public SirenBank(Board board, Lock gate, TimeProvider time, FireSafetyOptions options, Action<string, bool> sirenFault, Action<IDigitalOutput, bool, string?> writeFault)
    {
        _gate = gate;
        _time = time;
        _options = options;
        _sirenFault = sirenFault;
        _writeFault = writeFault;
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

    /// <summary>Outputs whose last write failed and is being retried.</summary>
    public IReadOnlyCollection<string> WriteFaultyOutputs => _writeFaulty;

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

    public void Strobes(bool on)
    {
        _strobesWanted = on;
        Reconcile();
    }

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
        if (on != _driven)
        {
            _driven = on;
            if (on)
            {
                _confirmed.Clear();
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
        }

        Reconcile();
    }

    /// <summary>Writes every output whose written state differs from what is wanted; schedules a retry if any write fails.</summary>
    private void Reconcile()
    {
        // The common case on every cadence step: everything already is as wanted; nothing to write, nothing allocated.
        if (_retryTimer is null && AllWritten(_sirens, _driven) && AllWritten(_strobes, _strobesWanted))
        {
            return;
        }

        var wrongSirens = _sirens.Where(o => o.IsOn != _driven).ToList();
        var wrongStrobes = _strobes.Where(o => o.IsOn != _strobesWanted).ToList();
        var failed = new List<OutputWriteFailure>();
        if (wrongSirens.Count > 0)
        {
            failed.AddRange(Board.SetAll(wrongSirens, _driven));
            if (_driven && failed.Count == 0)
            {
                LastSoundedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            }
        }

        if (wrongStrobes.Count > 0)
        {
            failed.AddRange(Board.SetAll(wrongStrobes, _strobesWanted));
        }

        var failing = failed.SelectMany(f => f.Outputs.Select(o => (Output: o, f.Controller, f.Error))).ToList();
        foreach (var (output, controller, error) in failing)
        {
            if (_writeFaulty.Add(output.Spec.Id))
            {
                _writeFault(output, true, $"{controller}: {error}");
            }
        }

        foreach (var output in wrongSirens.Concat(wrongStrobes).Where(o => !failing.Any(f => ReferenceEquals(f.Output, o))))
        {
            if (_writeFaulty.Remove(output.Spec.Id))
            {
                _writeFault(output, false, null);
            }
        }

        if (failing.Count > 0)
        {
            _retryTimer ??= _time.CreateTimer(_ => OnRetryDue(), null, RetryInterval, RetryInterval);
        }
        else
        {
            _retryTimer?.Dispose();
            _retryTimer = null;
        }
    }

    private static bool AllWritten(IReadOnlyList<IDigitalOutput> outputs, bool wanted)
    {
        for (var i = 0; i < outputs.Count; i++)
        {
            if (outputs[i].IsOn != wanted)
            {
                return false;
            }
        }

        return true;
    }

    private void OnRetryDue()
    {
        lock (_gate)
        {
            Reconcile();
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

    /// <summary>
    /// Every siren's feedback result for the siren test's report (under the lock): how many confirmed, and which did
    /// not, had a refused write, or have no feedback input. Short enough for an event's detail.
    /// </summary>
    public (int Confirmed, string Report) FeedbackReport()
    {
        var silent = _feedback.Keys.Where(s => _faulty.Contains(s)).Order(StringComparer.Ordinal).ToList();
        var unwritten = _sirens.Where(o => _writeFaulty.Contains(o.Spec.Id)).Select(o => o.Spec.Id).Order(StringComparer.Ordinal).ToList();
        var unsupervised = _sirens.Select(o => o.Spec.Id).Where(id => !_feedback.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        var confirmed = _feedback.Count - silent.Count;
        static string List(List<string> ids) => ids.Count == 0 ? "none" : string.Join(" ", ids);
        return (confirmed, $"feedback ok {confirmed}/{_feedback.Count}; no feedback: {List(silent)}; write failed: {List(unwritten)}; unsupervised: {List(unsupervised)}");
    }

    public void Dispose()
    {
        _stepTimer?.Dispose();
        _retryTimer?.Dispose();
        _confirmTimer?.Dispose();
        foreach (var fb in _feedback.Values)
        {
            fb.Changed -= OnFeedback;
        }
    }
}
