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
/// One concern per file: this one (state, start, options, events out); <c>.Contacts</c> (debounce);
/// <c>.Loops</c> (supervised loops and the expander scan); <c>.Heat</c>; <c>.Group</c> (the state machine, the
/// latch, silence, reset, siren test); <c>.Trouble</c>.
/// </summary>
public sealed partial class FireSafetyEngine : IDisposable
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
}
