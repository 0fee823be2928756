using EdgeWatch.Mqtt;
using System.Diagnostics;
using EdgeWatch.Protocol;
using OpenCvSharp;

namespace EdgeWatch.Gateway.Motion;

/// <summary>Where a camera's frames come from and how to decode them.</summary>
public sealed record CameraSource(string Id, string Url, string? HwAccel = null, bool Realtime = false);

/// <summary>
/// One camera's bounded pipeline: a capture thread reads frames from ffmpeg straight into one of three Mats; the
/// analysis thread always takes the newest frame. When analysis falls behind, the older waiting frame is dropped
/// (and counted) rather than queued, so one slow camera never stalls the others or the fire-safety engine. The capture
/// reconnects with backoff; a camera that delivers nothing for <see cref="OfflineAfter"/> is reported offline, and
/// online again with its next frame.
/// </summary>
public sealed class CameraPipeline : IDisposable
{
    private readonly CameraSource _source;
    private readonly MotionSettings _settings;
    private readonly Func<Mat?>? _maskFactory;
    private readonly Func<Mat?>? _privacyFactory;
    private readonly Lock _gate = new();
    private readonly Stack<Mat> _free = new();
    private readonly SemaphoreSlim _ready = new(0, 1);
    private readonly SemaphoreSlim _taken = new(1, 1); // recorded files: wait for analysis instead of dropping
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _capture;
    private readonly Thread _analysis;
    private (Mat Frame, double Seconds)? _latest;
    private long _frames;
    private long _dropped;
    private long _analysed;
    private long _lastFrameTicks = Stopwatch.GetTimestamp();
    private bool _offline;
    private FfmpegFrameSource? _current;
    private long _attemptTicks = Stopwatch.GetTimestamp();
    private Timer? _watchdog;

    /// <param name="source">The camera.</param>
    /// <param name="settings">Detection settings.</param>
    /// <param name="analysisMask">Builds the mask of where motion counts (zones minus exclusions), owned by the pipeline.</param>
    /// <param name="privacyMask">Builds the mask of what is blacked out before analysis and in snapshots, owned by the pipeline.</param>
    public CameraPipeline(CameraSource source, MotionSettings settings, Func<Mat?>? analysisMask = null, Func<Mat?>? privacyMask = null)
    {
        _source = source;
        _settings = settings;
        _maskFactory = analysisMask;
        _privacyFactory = privacyMask;
        for (var i = 0; i < 3; i++)
        {
            _free.Push(new Mat(settings.DetectHeight, settings.DetectWidth, MatType.CV_8UC3));
        }

        _capture = new Thread(CaptureLoop) { IsBackground = true, Name = $"camera-{source.Id}-capture" };
        _analysis = new Thread(AnalysisLoop) { IsBackground = true, Name = $"camera-{source.Id}-analysis" };
    }

    public TimeSpan OfflineAfter { get; init; } = TimeSpan.FromSeconds(30);

    public CameraSource Source => _source;

    /// <summary>Applied to each frame's motion before events are formed (zone sensitivities).</summary>
    public Func<FrameMotion, FrameMotion>? Filter { get; init; }

    /// <summary>A connection that delivers no frame for this long is restarted.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Motion start, update and end, with the frame they were seen on (valid only during the call).</summary>
    public event Action<CameraSource, MotionEventUpdate, Mat>? Motion;

    /// <summary>The camera went offline (true) or came back (false).</summary>
    public event Action<CameraSource, bool>? Offline;

    /// <summary>The camera's picture kept failing (frozen, blank or torn: <see cref="SignalWatch"/>), or recovered; on the analysis thread.</summary>
    public event Action<CameraSource, SignalChange>? SignalFault;

    private Action<Mat>? _snapshotRequest;

    /// <summary>The next analysed (privacy-masked) frame is handed to <paramref name="take"/> on the analysis thread.</summary>
    public void RequestSnapshot(Action<Mat> take) => Interlocked.Exchange(ref _snapshotRequest, take);

    public long Frames => Interlocked.Read(ref _frames);
    public long Dropped => Interlocked.Read(ref _dropped);
    public long Analysed => Interlocked.Read(ref _analysed);

    /// <summary>Time spent detecting and tracking (the analysis thread's work per frame, summed).</summary>
    public TimeSpan AnalyseTime => TimeSpan.FromTicks(Interlocked.Read(ref _analyseTicks));

    /// <summary>The detector's own time per analysed frame: the analysis thread's CPU time (no decoding, no event tracking).</summary>
    public FrameTimes DetectorTimes { get; } = new();

    /// <summary>CPU time of the ffmpeg readers that have ended (the decode cost of a recording once it is read).</summary>
    public TimeSpan DecodeCpu => TimeSpan.FromTicks(Interlocked.Read(ref _decodeTicks));

    /// <summary>Frame rate of the stream being read; 0 before the first connection.</summary>
    public double Fps => Volatile.Read(ref _fps);

    private long _analyseTicks;
    private long _decodeTicks;
    private double _fps;

    /// <summary>Connection attempts that ended (stream closed or unreachable), each followed by an offline check.</summary>
    public long AttemptsEnded => Interlocked.Read(ref _attemptsEnded);

    private long _attemptsEnded;

    /// <summary>True once a file source has been read to its end (live sources reconnect instead).</summary>
    public bool Finished { get; private set; }

    public void Start()
    {
        _capture.Start();
        _analysis.Start();

        // A stream that stalls without closing (RTP stops, the server keeps the session): report it offline and
        // restart ffmpeg, so the capture loop reconnects.
        _watchdog = new Timer(_ =>
        {
            CheckOffline();
            // Restart ffmpeg when this connection attempt has produced nothing for a while.
            var stalled = Stopwatch.GetElapsedTime(Math.Max(Interlocked.Read(ref _lastFrameTicks), Interlocked.Read(ref _attemptTicks)));
            if (stalled >= StallTimeout && Volatile.Read(ref _current) is { } stuck)
            {
                stuck.Abort();
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private void CaptureLoop()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));
        var isFile = !_source.Url.Contains("://", StringComparison.Ordinal);
        var transport = "tcp"; // RTSP over TCP first; a server without interleaving gets UDP on the next attempt
        var clock = new StreamClock(TimeProvider.System);
        while (!_stop.IsCancellationRequested)
        {
            var framesBefore = Frames;
            try
            {
                using var ffmpeg = FfmpegFrameSource.Open(_source.Url, _settings.DetectWidth, _settings.DetectHeight, isFile && !_source.Realtime ? null : _settings.DetectFps, _source.HwAccel, _source.Realtime, transport);
                clock.Reconnected(ffmpeg.Fps);
                Interlocked.Exchange(ref _attemptTicks, Stopwatch.GetTimestamp());
                Volatile.Write(ref _fps, ffmpeg.Fps);
                Volatile.Write(ref _current, ffmpeg);
                while (!_stop.IsCancellationRequested)
                {
                    Mat target;
                    lock (_gate)
                    {
                        target = _free.Pop(); // three Mats: one being analysed, one waiting, one being filled
                    }

                    if (!ffmpeg.TryReadInto(target, out var seconds))
                    {
                        lock (_gate)
                        {
                            _free.Push(target);
                        }

                        break;
                    }

                    Interlocked.Increment(ref _frames);
                    Interlocked.Exchange(ref _lastFrameTicks, Stopwatch.GetTimestamp());
                    if (isFile && !_source.Realtime)
                    {
                        _taken.Wait(_stop.Token); // a recording is analysed frame by frame, nothing dropped
                    }

                    lock (_offlineGate)
                    {
                        if (_offline)
                        {
                            _offline = false;
                            Offline?.Invoke(_source, false);
                        }
                    }

                    backoff.Reset();
                    lock (_gate)
                    {
                        if (_latest is { } stale)
                        {
                            _free.Push(stale.Frame); // analysis is behind: drop the older frame, never queue
                            Interlocked.Increment(ref _dropped);
                        }

                        _latest = (target, clock.At(seconds));
                    }

                    Signal();
                }

                if (!_stop.IsCancellationRequested)
                {
                    Interlocked.Add(ref _decodeTicks, ffmpeg.DecodeCpu.Ticks); // the stream ended: ffmpeg's whole cost
                }
            }
            catch (OperationCanceledException)
            {
                return; // stopping
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or InvalidDataException)
            {
                // ffmpeg missing, stream unreachable: retry below.
            }

            if (isFile && !_source.Realtime)
            {
                Finished = true;
                Signal();
                return;
            }

            if (Frames == framesBefore)
            {
                transport = transport == "tcp" ? "udp" : "tcp";
            }

            CheckOffline();
            Interlocked.Increment(ref _attemptsEnded);
            _stop.Token.WaitHandle.WaitOne(backoff.Next());
        }
    }

    private void Signal()
    {
        try
        {
            if (_ready.CurrentCount == 0)
            {
                _ready.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // already signalled
        }
    }

    private readonly Lock _offlineGate = new();

    private void CheckOffline()
    {
        lock (_offlineGate)
        {
            CheckOfflineLocked();
        }
    }

    private void CheckOfflineLocked()
    {
        if (!_offline && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastFrameTicks)) >= OfflineAfter)
        {
            _offline = true;
            Offline?.Invoke(_source, true);
        }
    }

    private void AnalysisLoop()
    {
        using var mask = _maskFactory?.Invoke();
        using var privacy = _privacyFactory?.Invoke();
        DetectorWarmUp.Run(_settings);
        using var detector = new MotionDetector(_settings, mask);
        var tracker = new MotionEventTracker(_settings);
        var signal = new SignalWatch(_settings.SignalFaultSeconds);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _ready.Wait(TimeSpan.FromSeconds(1), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            (Mat Frame, double Seconds)? job;
            lock (_gate)
            {
                job = _latest;
                _latest = null;
            }

            if (job is not null && _taken.CurrentCount == 0)
            {
                _taken.Release();
            }

            if (job is not { } j)
            {
                if (Finished)
                {
                    if (tracker.Finish() is { } last)
                    {
                        using var blank = new Mat();
                        Motion?.Invoke(_source, last, blank);
                    }

                    return;
                }

                continue;
            }

            try
            {
                if (privacy is not null)
                {
                    j.Frame.SetTo(Scalar.All(0), privacy); // a neighbour's window never reaches analysis or a snapshot
                }

                Interlocked.Exchange(ref _snapshotRequest, null)?.Invoke(j.Frame);
                var analysing = Stopwatch.GetTimestamp();
                var cpu = ThreadCpuTime.NowMs();
                var motion = detector.Detect(j.Frame, j.Seconds);
                DetectorTimes.Add(ThreadCpuTime.NowMs() - cpu);
                foreach (var change in signal.Add(motion.Fault, j.Seconds))
                {
                    SignalFault?.Invoke(_source, change);
                }

                if (Filter is { } filter)
                {
                    motion = filter(motion);
                }

                Interlocked.Increment(ref _analysed);
                var update = tracker.Add(motion, j.Seconds);
                Interlocked.Add(ref _analyseTicks, Stopwatch.GetElapsedTime(analysing).Ticks);
                if (update is not null)
                {
                    Motion?.Invoke(_source, update, j.Frame);
                }
            }
            finally
            {
                lock (_gate)
                {
                    _free.Push(j.Frame);
                }
            }

            if (_latest is not null)
            {
                Signal();
            }
        }
    }

    /// <summary>Waits for a file source to be read and analysed to its end.</summary>
    public bool WaitFinished(TimeSpan timeout) => _analysis.ThreadState != System.Threading.ThreadState.Unstarted && _analysis.Join(timeout);

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Cancel();
        _watchdog?.Dispose();
        Volatile.Read(ref _current)?.Abort();
        if (_capture.ThreadState != System.Threading.ThreadState.Unstarted)
        {
            _capture.Join(TimeSpan.FromSeconds(5));
            _analysis.Join(TimeSpan.FromSeconds(5));
        }
        lock (_gate)
        {
            _latest?.Frame.Dispose();
            while (_free.Count > 0)
            {
                _free.Pop().Dispose();
            }
        }

        _stop.Dispose();
        _ready.Dispose();
        _taken.Dispose();
    }
}
