using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>Supervised loops (voltage bands) and the expander safety scan.</summary>
public sealed partial class FireSafetyEngine
{
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

    private sealed class LoopTracker(ISupervisedLoop loop)
    {
        public ISupervisedLoop Loop { get; } = loop;
        public LoopState Confirmed { get; set; } = LoopState.Normal;
        public LoopState Pending { get; set; } = LoopState.Normal;
        public long PendingSince { get; set; }
        public double Volts { get; set; }
    }
}
