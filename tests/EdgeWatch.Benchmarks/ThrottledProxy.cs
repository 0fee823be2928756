using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace EdgeWatch.Benchmarks;

/// <summary>
/// A TCP proxy on loopback that behaves like an LTE uplink: each direction is paced to <c>bitsPerSecond</c>, every
/// byte arrives <c>delay</c> after it was paced out, and at most <c>bufferBytes</c> are held in the proxy per
/// direction (beyond that it stops reading, and TCP pushes back on the sender).
/// </summary>
internal sealed class ThrottledProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly double _bytesPerSecond;
    private readonly TimeSpan _delay;
    private readonly int _bufferBytes;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];

    /// <summary>One TCP segment's payload on a 1500-byte MTU.</summary>
    private const int Segment = 1448;

    public ThrottledProxy(int upstreamPort, double bitsPerSecond, TimeSpan delay, int bufferBytes)
    {
        _upstreamPort = upstreamPort;
        _bytesPerSecond = bitsPerSecond / 8;
        _delay = delay;
        _bufferBytes = bufferBytes;
        _listener.Start();
        _tasks.Add(AcceptAsync());
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort);
            client.NoDelay = upstream.NoDelay = true;
            client.SendBufferSize = client.ReceiveBufferSize = upstream.SendBufferSize = upstream.ReceiveBufferSize = 8 * 1024;
            lock (_tasks)
            {
                _tasks.Add(PipeAsync(client, upstream));
                _tasks.Add(PipeAsync(upstream, client));
            }
        }
    }

    private async Task PipeAsync(TcpClient from, TcpClient to)
    {
        var queue = Channel.CreateUnbounded<(byte[] Data, long DeliverAt)>();
        // Room in the proxy, in segments of at most Segment bytes.
        var segments = Math.Max(1, _bufferBytes / Segment);
        using var room = new SemaphoreSlim(segments, segments);
        var ct = _stop.Token;

        async Task ReadAsync()
        {
            var source = from.GetStream();
            var linkFreeAt = Stopwatch.GetTimestamp();
            while (!ct.IsCancellationRequested)
            {
                // Read at most a segment, and only into room the proxy has.
                await room.WaitAsync(ct);
                var buffer = new byte[Segment];
                var n = await source.ReadAsync(buffer, ct);
                if (n == 0)
                {
                    break;
                }

                // Pace: the link is busy with the bytes before these.
                var now = Stopwatch.GetTimestamp();
                linkFreeAt = Math.Max(linkFreeAt, now) + (long)(n / _bytesPerSecond * Stopwatch.Frequency);
                await queue.Writer.WriteAsync((buffer[..n], linkFreeAt + (long)(_delay.TotalSeconds * Stopwatch.Frequency)), ct);
            }

            queue.Writer.TryComplete();
        }

        async Task WriteAsync()
        {
            var sink = to.GetStream();
            await foreach (var (data, at) in queue.Reader.ReadAllAsync(ct))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), at);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct);
                }

                await sink.WriteAsync(data, ct);
                room.Release();
            }
        }

        try
        {
            await Task.WhenAll(ReadAsync(), WriteAsync());
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }
}
