using System.Collections.Concurrent;
using EdgeWatch.Gateway.FireSafety;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.Uplink;

/// <summary>
/// Takes fire and trouble events from the engine. Each event is held in memory at once, where the uplink can send
/// it whatever the disk does, and is then written to the outbox (fsync'd) on the gateway's own writer thread, in
/// order. The engine drives the sirens first and never waits for the disk.
/// <para>
/// A disk that refuses writes (full, read-only, I/O errors) holds up nothing: later events are held and sent like the
/// rest, the writer retries the oldest unwritten event every <see cref="RetryInterval"/> and whenever a new one
/// arrives, and <see cref="StorageFaultChanged"/> reports the fault (the gateway raises it as a <c>storage</c>
/// trouble) and its end, once every held event is on disk. No fire event is ever dropped.
/// </para>
/// </summary>
public sealed partial class DurableEventWriter : IFireEventSink, IDisposable
{
    private readonly BlockingCollection<FireEvent> _queue = new(new ConcurrentQueue<FireEvent>());
    private readonly IFireEventStore _store;
    private readonly ILogger<DurableEventWriter> _logger;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _drained = new(true);
    private int _unwritten;

    public DurableEventWriter(IFireEventStore store, ILogger<DurableEventWriter> logger)
    {
        _store = store;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "edgewatch-event-writer" };
        _thread.Start();
    }

    /// <summary>How often the oldest unwritten event is tried again while the disk refuses writes.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Events raised and not yet on disk (they are in memory and being sent).</summary>
    public int Unwritten => Volatile.Read(ref _unwritten);

    /// <summary>The storage fault now (null when writes succeed).</summary>
    public string? StorageFault { get; private set; }

    /// <summary>Raised on the writer thread when writes start failing (the error) and when they work again (null).</summary>
    public event Action<string?>? StorageFaultChanged;

    public void Publish(FireEvent fireEvent)
    {
        try
        {
            _store.Hold(fireEvent);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not a disk error (holding needs none): a bug. The disk write below still gets it out after the retry.
            HoldFailed(_logger, fireEvent.Seq, fireEvent.Kind, ex);
        }

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
        var unwritten = new Queue<FireEvent>();
        while (true)
        {
            if (unwritten.Count == 0)
            {
                if (!TryTake(Timeout.InfiniteTimeSpan, unwritten))
                {
                    return; // shut down with everything written
                }
            }
            else if (StorageFault is not null && !TryTake(RetryInterval, unwritten) && _queue.IsCompleted)
            {
                return; // shut down with events that are only in memory (logged by Flush's caller)
            }

            while (_queue.TryTake(out var more))
            {
                unwritten.Enqueue(more);
            }

            WriteInOrder(unwritten);
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for an event; false when the queue is completed and empty.</summary>
    private bool TryTake(TimeSpan timeout, Queue<FireEvent> into)
    {
        try
        {
            if (_queue.TryTake(out var e, timeout))
            {
                into.Enqueue(e);
                return true;
            }

            return !_queue.IsCompleted;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private void WriteInOrder(Queue<FireEvent> unwritten)
    {
        while (unwritten.TryPeek(out var e))
        {
            try
            {
                _store.WriteBack(e);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (StorageFault is null)
                {
                    StorageFault = $"outbox writes failing: {ex.Message}; {unwritten.Count} event(s) held in memory and sent from there";
                    WriteFailed(_logger, e.Seq, ex.Message);
                    StorageFaultChanged?.Invoke(StorageFault);
                }

                return;
            }

            unwritten.Dequeue();
            if (Interlocked.Decrement(ref _unwritten) == 0)
            {
                _drained.Set();
            }
        }

        if (StorageFault is not null)
        {
            StorageFault = null;
            WritesRecovered(_logger);
            StorageFaultChanged?.Invoke(null);
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

    [LoggerMessage(EventId = 2100, Level = LogLevel.Critical, Message = "Writing event seq {Seq} to the outbox failed ({Error}); it and every later event are held in memory and sent from there, and written when the disk recovers")]
    private static partial void WriteFailed(ILogger logger, long seq, string error);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Outbox writes work again; every held event is on disk")]
    private static partial void WritesRecovered(ILogger logger);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Critical, Message = "Holding event seq {Seq} ({Kind}) in memory failed; it goes out once written to disk")]
    private static partial void HoldFailed(ILogger logger, long seq, FireEventKind kind, Exception exception);
}
