using System.Diagnostics;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>
/// A <see cref="TimeProvider"/> whose timers fire on one dedicated, high-priority thread instead of the shared thread
/// pool. Debounce confirmations, the siren cadence, silence expiry and siren supervision run here, so a busy pool
/// (camera analysis, the uplink, HTTP) never delays a fire alarm. Callbacks must be short; slow I/O (ADC and 1-Wire
/// reads) stays on the pool. Wall and monotonic time come from the system clock.
/// </summary>
public sealed partial class FireSafetyClock : TimeProvider, IDisposable
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<Entry, long> _due = new();
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _wake = new(false);
    private bool _stopped;

    private static readonly Lazy<FireSafetyClock> SharedClock = new(() => new FireSafetyClock());

    /// <summary>One alarm clock per process (a gateway process normally serves one group; the demo and benchmarks serve many).</summary>
    public static FireSafetyClock Shared => SharedClock.Value;

    public FireSafetyClock()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "edgewatch-fire-clock" };
        try
        {
            _thread.Priority = ThreadPriority.Highest; // honoured on Linux when the service may raise priority (CAP_SYS_NICE)
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or ThreadStateException)
        {
        }

        _thread.Start();
    }

    /// <summary>Callbacks that threw; the clock keeps running.</summary>
    public long Faults => Interlocked.Read(ref _faults);
    private long _faults;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Entry(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(Entry entry, long dueTimestamp)
    {
        lock (_gate)
        {
            _due.Enqueue(entry, dueTimestamp);
        }

        _wake.Set();
    }

    /// <summary>Whether the clock thread runs with real-time (SCHED_FIFO) priority: Linux, with CAP_SYS_NICE or as root.</summary>
    public bool RealTime { get; private set; }

    [global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    [global::System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SchedSetScheduler(int pid, int policy, ref SchedParam param);

    private const int SchedFifo = 1;

    private void Run()
    {
        if (OperatingSystem.IsLinux())
        {
            // Real-time priority for the alarm path: a debounce confirmation preempts everything else on the box.
            // pid 0 is the calling thread. Without the privilege this fails and the thread keeps normal scheduling.
            var param = new SchedParam { Priority = 10 };
            try
            {
                RealTime = SchedSetScheduler(0, SchedFifo, ref param) == 0;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                RealTime = false;
            }
        }

        while (true)
        {
            Entry? fire = null;
            long waitTicks;
            lock (_gate)
            {
                if (_stopped)
                {
                    return;
                }

                waitTicks = long.MaxValue;
                while (_due.TryPeek(out var entry, out var due))
                {
                    if (!entry.IsScheduledFor(due))
                    {
                        _due.Dequeue(); // changed or disposed since it was queued
                        continue;
                    }

                    var now = Stopwatch.GetTimestamp();
                    if (due <= now)
                    {
                        _due.Dequeue();
                        fire = entry;
                    }
                    else
                    {
                        waitTicks = due - now;
                    }

                    break;
                }

                if (fire is null)
                {
                    _wake.Reset();
                }
            }

            if (fire is not null)
            {
                fire.Fire();
                continue;
            }

            var timeout = waitTicks == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromTicks(Math.Max(1, waitTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            _wake.Wait(timeout);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
        }

        _wake.Set();
        _thread.Join(TimeSpan.FromSeconds(2));
        _wake.Dispose();
    }

    private sealed class Entry(FireSafetyClock clock, TimerCallback callback, object? state) : ITimer
    {
        private long _scheduledFor = -1;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public bool IsScheduledFor(long due) => Interlocked.Read(ref _scheduledFor) == due;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (Volatile.Read(ref _disposed))
            {
                return false;
            }

            _period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                Interlocked.Exchange(ref _scheduledFor, -1);
                return true;
            }

            var due = Stopwatch.GetTimestamp() + (long)(Math.Max(0, dueTime.TotalSeconds) * Stopwatch.Frequency);
            Interlocked.Exchange(ref _scheduledFor, due);
            clock.Schedule(this, due);
            return true;
        }

        public void Fire()
        {
            if (Volatile.Read(ref _disposed))
            {
                return;
            }

            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan)
            {
                var next = Stopwatch.GetTimestamp() + (long)(_period.TotalSeconds * Stopwatch.Frequency);
                Interlocked.Exchange(ref _scheduledFor, next);
                clock.Schedule(this, next);
            }
            else
            {
                Interlocked.Exchange(ref _scheduledFor, -1);
            }

            try
            {
                callback(state);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Interlocked.Increment(ref clock._faults);
            }
        }

        public void Dispose()
        {
            Volatile.Write(ref _disposed, true);
            Interlocked.Exchange(ref _scheduledFor, -1);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
