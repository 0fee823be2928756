using System.Collections.Concurrent;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// Hands fire and trouble events from the engine to the outbox on the gateway's own writer thread, in order. The engine
/// drives the sirens first and never waits for the disk: an fsync of one gateway can delay neither its own next alarm
/// nor another gateway's timers on the alarm clock. Each event is fsync'd by the outbox within milliseconds; a write
/// that fails (disk error) is retried until it succeeds and logged every time.
/// </summary>
public sealed partial class DurableEventWriter : IFireEventSink, IDisposable
{
    private readonly BlockingCollection<FireEvent> _queue = new(new ConcurrentQueue<FireEvent>());
    private readonly IFireEventSink _inner;
    private readonly ILogger<DurableEventWriter> _logger;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _drained = new(true);
    private int _unwritten;

    public DurableEventWriter(IFireEventSink inner, ILogger<DurableEventWriter> logger)
    {
        _inner = inner;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "edgewatch-event-writer" };
        _thread.Start();
    }

    /// <summary>Events handed over but not yet on disk.</summary>
    public int Pending => _queue.Count;

    /// <summary>Raised on the writer thread after an event is durably in the outbox.</summary>
    public event Action<FireEvent>? Persisted;

    public void Publish(FireEvent fireEvent)
    {
        try
        {
            if (Interlocked.Increment(ref _unwritten) == 1)
            {
                _drained.Reset();
            }

            _queue.Add(fireEvent);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            Interlocked.Decrement(ref _unwritten);
            AfterShutdown(_logger, fireEvent.Seq, fireEvent.Kind);
        }
    }

    private void Run()
    {
        foreach (var e in _queue.GetConsumingEnumerable())
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    _inner.Publish(e);
                    Persisted?.Invoke(e);
                    if (Interlocked.Decrement(ref _unwritten) == 0)
                    {
                        _drained.Set();
                    }

                    break;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    WriteFailed(_logger, e.Seq, attempt, ex);
                    Thread.Sleep(Math.Min(1000, 10 * attempt));
                }
            }
        }
    }

    /// <summary>Waits until everything handed over is on disk (for a clean shutdown).</summary>
    public bool Flush(TimeSpan timeout)
    {
        return _drained.Wait(timeout);
    }

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // registered under two service types, so disposed twice
        }

        _queue.CompleteAdding();
        if (_thread.Join(TimeSpan.FromSeconds(5)))
        {
            _queue.Dispose();
            _drained.Dispose();
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Event seq {Seq} ({Kind}) raised while the gateway was shutting down; it is in the log only")]
    private static partial void AfterShutdown(ILogger logger, long seq, FireEventKind kind);

    [LoggerMessage(EventId = 2100, Level = LogLevel.Critical, Message = "Writing event seq {Seq} to the outbox failed (attempt {Attempt}); retrying")]
    private static partial void WriteFailed(ILogger logger, long seq, int attempt, Exception exception);
}
