using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EdgeWatch.Gateway.Motion;

/// <summary>
/// The calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), in milliseconds: what the detector costs
/// the analysis thread, not counting time the scheduler gave to ffmpeg or other threads. Elsewhere, the wall clock.
/// </summary>
public static partial class ThreadCpuTime
{
    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    public static double NowMs() =>
        OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuClock, out var t) == 0
            ? (t.Seconds * 1e3) + (t.Nanoseconds / 1e6)
            : Stopwatch.GetTimestamp() * 1e3 / Stopwatch.Frequency;
}
