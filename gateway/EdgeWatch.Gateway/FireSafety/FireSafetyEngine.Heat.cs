using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>Heat probes: sampling and the fixed and rate-of-rise detectors.</summary>
public sealed partial class FireSafetyEngine
{
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
}
