using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>
/// The fire-safety engine of one group. It debounces contacts, classifies supervised loops, runs heat detectors,
/// and drives the group's state machine: normal → alarm → silenced → reset. An alarm in any household sounds every
/// siren and strobe of the group at once, on this gateway, with no network involved. Events go to an
/// <see cref="IFireEventSink"/> that never blocks.
/// Everything runs under one lock; hardware reads that may be slow (ADC, 1-Wire) happen outside it.
/// </summary>
public sealed class FireSafetyEngine : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Board _board;
    private FireSafetyOptions _options;
    private readonly FireEventFactory _events;
    private readonly IFireEventSink _sink;
    private readonly TimeProvider _time;
    private readonly TimeProvider _alarmClock;
    private readonly ILogger _logger;
    private readonly SirenBank _sirens;
    private readonly IAlarmLatchStore? _latch;
    private AlarmLatch? _latched;
    private readonly Dictionary<string, DebouncedInput> _inputs = [];
    private readonly Dictionary<string, LoopTracker> _loops = [];
    private readonly Dictionary<string, (ITemperatureProbe Probe, HeatDetector Detector)> _heat = [];
    private readonly HashSet<string> _activeFire = [];
    private readonly HashSet<string> _alarmedSinceReset = [];
    private readonly HashSet<(string Channel, string Cause)> _troubles = [];
    private readonly long _origin;
    private readonly int _sirenCount;
    private ITimer? _scanTimer;
    private ITimer? _heatTimer;
    private ITimer? _silenceTimer;
    private ITimer? _testTimer;
    private ITimer? _tickTimer;
    private int _heatBusy;
    private int _scanBusy;
    private bool _started;

    /// <param name="time">Clock for the slow scans (ADC loops, 1-Wire probes) on the thread pool.</param>
    /// <param name="alarmClock">Clock for everything on the alarm path (debounce, sirens, silence); defaults to <paramref name="time"/>.
    /// In production this is a <see cref="FireSafetyClock"/> with its own thread.</param>
    /// <param name="latch">Where the alarm latch is kept, so that an alarm survives a crash; none in most tests.</param>
    public FireSafetyEngine(
        Board board, FireSafetyOptions options, FireEventFactory events, IFireEventSink sink, TimeProvider time, ILogger<FireSafetyEngine> logger,
        TimeProvider? alarmClock = null, IAlarmLatchStore? latch = null)
    {
        _latch = latch;
        Liveness = new FirePathLiveness(time);
        _alarmClock = alarmClock ?? time;
        _board = board;
        _options = options;
        _events = events;
        _sink = sink;
        _time = time;
        _logger = logger;
        _origin = time.GetTimestamp();
        _sirenCount = board.Outputs.Count(o => o.Spec.Kind == ChannelKind.Siren);
        _sirens = new SirenBank(board, _gate, _alarmClock, options, OnSirenFault, OnOutputWriteFault);
    }

    /// <summary>Raised for every event, after it has been handed to the sink.</summary>
    public event Action<FireEvent>? Raised;

    public GroupState State { get; private set; }

    /// <summary>Whether the alarm clock, the input scan and heat sampling are running (for the watchdog).</summary>
    public FirePathLiveness Liveness { get; }

    /// <summary>The current alarm's id (its first alarm event's), or null when the group is normal.</summary>
    public Guid? AlarmId
    {
        get
        {
            lock (_gate)
            {
                return _latched?.AlarmId;
            }
        }
    }

    public bool TestActive { get; private set; }

    public bool SirensSounding
    {
        get
        {
            lock (_gate)
            {
                return _sirens.Sounding;
            }
        }
    }

    /// <summary>Stopwatch timestamp of the last moment the group's sirens were switched on together.</summary>
    public long LastSirensOnTimestamp
    {
        get
        {
            lock (_gate)
            {
                return _sirens.LastSoundedAt;
            }
        }
    }

    public IReadOnlyCollection<string> ActiveAlarms
    {
        get
        {
            lock (_gate)
            {
                return [.. _activeFire];
            }
        }
    }

    public IReadOnlyCollection<string> Troubles
    {
        get
        {
            lock (_gate)
            {
                return [.. _troubles.Select(t => $"{t.Cause}@{t.Channel}")];
            }
        }
    }

    /// <summary>Subscribes to inputs, takes the first readings and starts the scan and heat timers.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            ResumeLatchedAlarm();
            foreach (var input in _board.Inputs.Where(i => i.Spec.Kind != ChannelKind.SirenFeedback))
            {
                var d = new DebouncedInput(input, NormalState(input.Spec.Kind));
                _inputs[input.Spec.Id] = d;
                input.Changed += OnInputChanged;
            }

            foreach (var loop in _board.Loops)
            {
                _loops[loop.Spec.Id] = new LoopTracker(loop);
            }

            foreach (var probe in _board.Probes)
            {
                _heat[probe.Spec.Id] = (probe, new HeatDetector(_options));
            }

            // An input already away from normal at start-up is treated as a fresh edge.
            foreach (var d in _inputs.Values)
            {
                var active = d.Input.IsActive;
                if (active != d.Confirmed)
                {
                    StartDebounce(d, active);
                }
            }

            Liveness.Start(_options.ScanInterval, _heat.Count > 0 ? _options.HeatSampleInterval : null);
            _tickTimer = _alarmClock.CreateTimer(_ => Liveness.AlarmClockTicked(), null, FirePathLiveness.AlarmClockTick, FirePathLiveness.AlarmClockTick);
            _scanTimer = _time.CreateTimer(_ => Scan(), null, TimeSpan.Zero, _options.ScanInterval);
            if (_heat.Count > 0)
            {
                _heatTimer = _time.CreateTimer(_ => SampleHeat(), null, _options.HeatSampleInterval, _options.HeatSampleInterval);
            }

            FireSafetyLog.Started(_logger, _events.Identity.Group, _inputs.Count, _sirenCount, _heat.Count, _loops.Count);
        }
    }

    private static bool NormalState(ChannelKind kind) => kind == ChannelKind.MainsOk;

    /// <summary>
    /// An alarm latched before a crash or power cut sounds again at once, before any input is read: the group goes
    /// to alarm (a silence does not survive a restart), and a new alarm event with cause <c>resumed</c> carries the
    /// original alarm's id so the aggregator joins it to that alarm.
    /// </summary>
    private void ResumeLatchedAlarm()
    {
        if (_latch is null)
        {
            return;
        }

        var (latch, problem) = _latch.Load();
        if (problem is not null)
        {
            SetTrouble("latch", null, "storage", true, null, problem);
        }

        if (latch is null)
        {
            return;
        }

        State = GroupState.Alarm;
        _latched = latch with { State = GroupState.Alarm };
        _alarmedSinceReset.Add(latch.Channel);
        _sirens.Sound();
        _sirens.Strobes(true);
        FireSafetyLog.Resumed(_logger, _events.Identity.Group, latch.AlarmId, latch.Channel, latch.Since);
        _latch.Save(_latched);
        Emit(_events.Create(FireEventKind.Alarm, latch.Household, latch.Channel, "resumed"));
    }

    /// <summary>Records the latch after a state change (alarm, silence, resound, reset), off the alarm path's thread.</summary>
    private void Latch(GroupState state)
    {
        if (_latched is null)
        {
            return;
        }

        _latched = state == GroupState.Normal ? null : _latched with { State = state };
        _latch?.Save(_latched);
    }

    // ---- contacts -------------------------------------------------------------------------------------------

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

    // ---- supervised loops and expander safety scan --------------------------------------------------------

    private void Scan()
    {
        if (Interlocked.Exchange(ref _scanBusy, 1) == 1)
        {
            return;
        }

        try
        {
            // Each expander alone: one that can't be read raises a trouble naming it and stops nothing else; the
            // trouble clears on its next good reading.
            var failed = _board.ScanExpanders();
            lock (_gate)
            {
                foreach (var id in _board.ExpanderIds)
                {
                    var error = failed.FirstOrDefault(f => f.Expander == id).Error;
                    SetTrouble(id, null, "input-read-failed", error is not null, null, error is null ? null : $"expander {id}: {error}");
                }
            }

            foreach (var tracker in _loops.Values)
            {
                var reading = tracker.Loop.Read(); // an ADC that can't be read reads as an open loop (trouble)
                lock (_gate)
                {
                    ApplyLoop(tracker, reading);
                }
            }

            Liveness.Scanned();
        }
        finally
        {
            Volatile.Write(ref _scanBusy, 0);
        }
    }

    private void ApplyLoop(LoopTracker t, LoopReading reading)
    {
        var now = _time.GetTimestamp();
        t.Volts = reading.Volts;
        if (reading.State == t.Confirmed)
        {
            t.Pending = t.Confirmed;
            return;
        }

        if (reading.State != t.Pending)
        {
            t.Pending = reading.State;
            t.PendingSince = now;
            return;
        }

        if (_time.GetElapsedTime(t.PendingSince, now) < _options.Debounce)
        {
            return;
        }

        var old = t.Confirmed;
        t.Confirmed = reading.State;
        var spec = t.Loop.Spec;
        if (old == LoopState.Alarm)
        {
            OnFireInput(spec, false, spec.Kind.ToName(), reading.Volts);
        }
        else if (old is LoopState.OpenCircuit or LoopState.ShortCircuit)
        {
            SetTrouble(spec, LoopCause(old), false, reading.Volts, null);
        }

        if (reading.State == LoopState.Alarm)
        {
            OnFireInput(spec, true, spec.Kind.ToName(), reading.Volts);
        }
        else if (reading.State is LoopState.OpenCircuit or LoopState.ShortCircuit)
        {
            SetTrouble(spec, LoopCause(reading.State), true, reading.Volts, reading.Error);
        }
    }

    private static string LoopCause(LoopState s) => s == LoopState.ShortCircuit ? "loop-short" : "loop-open";

    // ---- heat ---------------------------------------------------------------------------------------------

    private void SampleHeat()
    {
        if (Interlocked.Exchange(ref _heatBusy, 1) == 1)
        {
            return; // a slow 1-Wire bus: skip this tick rather than pile up reads
        }

        try
        {
            foreach (var (probe, detector) in _heat.Values)
            {
                var reading = probe.Read();
                Liveness.HeatSampled(); // per probe: a pass over many slow 1-Wire probes is progress, not a stall
                lock (_gate)
                {
                    var seconds = _time.GetElapsedTime(_origin).TotalSeconds;
                    var wasLost = detector.Lost;
                    var wasAlarm = detector.InAlarm;
                    var change = detector.Update(seconds, reading.Ok, reading.Celsius);
                    if (detector.Lost != wasLost)
                    {
                        SetTrouble(probe.Spec, "probe-lost", detector.Lost, null, reading.Error);
                    }

                    if (detector.InAlarm && !wasAlarm)
                    {
                        OnFireInput(probe.Spec, true, change == HeatChange.AlarmFixed ? "heat-fixed" : "heat-rate-of-rise", change == HeatChange.AlarmFixed ? detector.LastCelsius : detector.LastRatePerMinute);
                    }
                    else if (!detector.InAlarm && wasAlarm)
                    {
                        OnFireInput(probe.Spec, false, "heat", detector.LastCelsius);
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _heatBusy, 0);
        }
    }

    // ---- the group state machine --------------------------------------------------------------------------

    private void OnFireInput(ChannelSpec spec, bool active, string cause, double? value)
    {
        if (!active)
        {
            if (_activeFire.Remove(spec.Id))
            {
                Emit(_events.Create(FireEventKind.Restore, spec.Household, spec.Id, cause, value));
            }

            return;
        }

        if (!_activeFire.Add(spec.Id))
        {
            return;
        }

        _alarmedSinceReset.Add(spec.Id);
        if (TestActive)
        {
            EndTest("interrupted-by-alarm");
        }

        // Sirens first, then the event: the alarm sounds locally before anything touches the network.
        var previous = State;
        State = GroupState.Alarm;
        _silenceTimer?.Dispose();
        _silenceTimer = null;
        _sirens.Sound();
        _sirens.Strobes(true);
        FireSafetyLog.Alarm(_logger, _events.Identity.Group, spec.Id, cause, spec.Household, _sirenCount);
        var alarm = _events.Create(FireEventKind.Alarm, spec.Household, spec.Id, cause, value);
        if (_latched is null)
        {
            _latched = new AlarmLatch(alarm.Id, GroupState.Alarm, spec.Id, spec.Household, cause, alarm.WallTime);
            _latch?.Save(_latched);
        }
        else if (previous != GroupState.Alarm)
        {
            Latch(GroupState.Alarm);
        }

        Emit(alarm);
        if (previous == GroupState.Silenced)
        {
            Emit(_events.Create(FireEventKind.Resound, spec.Household, spec.Id, "new-detector"));
        }
    }

    /// <summary>Silences the sirens for <see cref="FireSafetyOptions.SilenceDuration"/>. The alarm stays active; strobes stay on.</summary>
    public CommandResult Silence(string source)
    {
        lock (_gate)
        {
            if (State == GroupState.Normal)
            {
                if (TestActive)
                {
                    EndTest($"silenced by {source}");
                    return CommandResult.Ok("siren test ended");
                }

                return CommandResult.Refused("no alarm to silence");
            }

            if (State == GroupState.Silenced)
            {
                return CommandResult.Ok("already silenced");
            }

            State = GroupState.Silenced;
            _sirens.Hush();
            Latch(State);
            _silenceTimer?.Dispose();
            _silenceTimer = _alarmClock.CreateTimer(_ => OnSilenceExpired(), null, _options.SilenceDuration, Timeout.InfiniteTimeSpan);
            Emit(_events.Create(FireEventKind.Silence, cause: source, value: _options.SilenceDuration.TotalSeconds));
            return CommandResult.Ok($"silenced for {_options.SilenceDuration}");
        }
    }

    private void OnSilenceExpired()
    {
        lock (_gate)
        {
            if (State != GroupState.Silenced)
            {
                return;
            }

            State = GroupState.Alarm;
            _sirens.Sound();
            Latch(State);
            Emit(_events.Create(FireEventKind.Resound, cause: "silence-expired"));
        }
    }

    /// <summary>Returns the group to normal, but only once every fire input is back to normal.</summary>
    public CommandResult Reset(string source)
    {
        lock (_gate)
        {
            var stillActive = _activeFire
                .Concat(_inputs.Values.Where(d => d.Input.Spec.Kind.IsFireInput() && d.Input.IsActive).Select(d => d.Input.Spec.Id))
                .Concat(_loops.Values.Where(l => l.Confirmed == LoopState.Alarm || l.Pending == LoopState.Alarm).Select(l => l.Loop.Spec.Id))
                .Distinct()
                .Order(StringComparer.Ordinal)
                .ToList();
            if (stillActive.Count > 0)
            {
                var reason = $"still active: {string.Join(", ", stillActive)}";
                FireSafetyLog.ResetRefused(_logger, reason);
                return CommandResult.Refused(reason);
            }

            if (State == GroupState.Normal && !TestActive)
            {
                return CommandResult.Ok("already normal");
            }

            if (TestActive)
            {
                EndTest($"reset by {source}");
            }

            State = GroupState.Normal;
            _silenceTimer?.Dispose();
            _silenceTimer = null;
            _sirens.Hush();
            _sirens.Strobes(false);
            _alarmedSinceReset.Clear();
            var reset = _events.Create(FireEventKind.Reset, cause: source);
            Emit(reset); // still carries the alarm's id
            Latch(GroupState.Normal);
            return CommandResult.Ok("reset");
        }
    }

    /// <summary>Sounds every siren for a while so that feedback supervision can prove them. Every event says test.</summary>
    /// <param name="scheduled">The weekly test from <see cref="SirenTestScheduleOptions"/> rather than a command.</param>
    public CommandResult StartSirenTest(TimeSpan? duration = null, bool scheduled = false)
    {
        lock (_gate)
        {
            if (State != GroupState.Normal)
            {
                return CommandResult.Refused($"group is in {State}; a siren test only runs when normal");
            }

            if (TestActive)
            {
                return CommandResult.Ok("siren test already running");
            }

            var length = duration ?? _options.SirenTestDuration;
            TestActive = true;
            _sirens.Sound();
            _testTimer = _alarmClock.CreateTimer(_ => { lock (_gate) { EndTest("completed"); } }, null, length, Timeout.InfiniteTimeSpan);
            Emit(_events.Create(FireEventKind.SirenTest, cause: "start", value: length.TotalSeconds, test: true, detail: scheduled ? "scheduled weekly test" : "requested"));
            return CommandResult.Ok($"siren test for {length}");
        }
    }

    private void EndTest(string why)
    {
        if (!TestActive)
        {
            return;
        }

        TestActive = false;
        _testTimer?.Dispose();
        _testTimer = null;
        if (State == GroupState.Normal)
        {
            _sirens.Hush();
        }

        // Every siren's result (feedback confirmed, no feedback, refused write, no feedback wired) goes in the end event.
        var (confirmed, report) = _sirens.FeedbackReport();
        Emit(_events.Create(FireEventKind.SirenTest, cause: $"end:{why}", value: confirmed, test: true, detail: report));
    }

    // ---- trouble ------------------------------------------------------------------------------------------

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

    private void Emit(FireEvent e)
    {
        if (_latched is { } latched && e.Kind is not (FireEventKind.Trouble or FireEventKind.TroubleCleared or FireEventKind.SirenTest))
        {
            e = e with { AlarmId = latched.AlarmId };
        }

        FireSafetyLog.Event(_logger, e.Kind, e.Seq, e.Channel, e.Cause, e.Test);
        try
        {
            _sink.Publish(e);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            FireSafetyLog.SinkFailed(_logger, e.Seq, ex);
        }

        Raised?.Invoke(e);
    }

    public FireSafetyOptions Options
    {
        get
        {
            lock (_gate)
            {
                return _options;
            }
        }
    }

    /// <summary>
    /// Applies new settings without a restart (remote configuration). Running timers keep their current deadline; new
    /// debounces, silences and sirens use the new values. The caller has validated <paramref name="options"/>.
    /// </summary>
    public void ApplyOptions(FireSafetyOptions options)
    {
        lock (_gate)
        {
            _options = options;
            _sirens.ApplyOptions(options);
            foreach (var (_, detector) in _heat.Values)
            {
                detector.Options = options;
            }

            _scanTimer?.Change(options.ScanInterval, options.ScanInterval);
            Liveness.Intervals(options.ScanInterval, _heat.Count > 0 ? options.HeatSampleInterval : null);
            _heatTimer?.Change(options.HeatSampleInterval, options.HeatSampleInterval);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _scanTimer?.Dispose();
            _tickTimer?.Dispose();
            _heatTimer?.Dispose();
            _silenceTimer?.Dispose();
            _testTimer?.Dispose();
            foreach (var d in _inputs.Values)
            {
                d.Timer?.Dispose();
                d.Input.Changed -= OnInputChanged;
            }

            _sirens.Hush();
            _sirens.Dispose();
        }
    }

    private sealed class DebouncedInput(IDigitalInput input, bool normal)
    {
        public IDigitalInput Input { get; } = input;
        public bool Confirmed { get; set; } = normal;
        public ITimer? Timer { get; set; }
    }

    private sealed class LoopTracker(ISupervisedLoop loop)
    {
        public ISupervisedLoop Loop { get; } = loop;
        public LoopState Confirmed { get; set; } = LoopState.Normal;
        public LoopState Pending { get; set; } = LoopState.Normal;
        public long PendingSince { get; set; }
        public double Volts { get; set; }
    }
}
