using System.Globalization;
using System.IO.Ports;
using System.Text;
using System.Threading.Channels;

namespace EdgeWatch.Cloud.Notify.Sms;

/// <summary>A modem's answer to a command that failed: <c>ERROR</c>, <c>+CMS ERROR: n</c>, <c>BUSY</c>…</summary>
public sealed class ModemException(string message) : IOException(message);

/// <summary>A final result code and the information lines before it.</summary>
public sealed record AtResponse(string Final, IReadOnlyList<string> Lines)
{
    public bool Ok => Final == "OK";
}

/// <summary>What a call came to: the phone rang (alerting) or was answered; or it never did, and why.</summary>
public sealed record CallResult(bool Reached, string Detail);

/// <summary>
/// One LTE modem on its AT command port (System.IO.Ports; a real serial port or a pseudo-terminal): PDU-mode SMS
/// (<c>AT+CMGS</c>), voice calls that only ring (<c>ATD…;</c>, <c>AT+CLCC</c>, <c>ATH</c>), incoming SMS (<c>+CMTI</c>,
/// <c>AT+CMGR</c>, <c>AT+CMGD</c>), registration and signal. One command at a time; the reader runs on its own
/// thread from <see cref="Open"/> and routes unsolicited <c>+CMTI</c> to <see cref="Incoming"/>.
/// </summary>
public sealed class Modem : IDisposable
{
    private static readonly string[] Finals = ["OK", "ERROR", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE"];
    private static readonly TimeSpan PromptEscapeWait = TimeSpan.FromSeconds(2);
    private const string Escape = "\u001b";

    private readonly SerialPort _port;
    private readonly ModemOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Channel<int> _incoming = Channel.CreateUnbounded<int>();
    private Thread? _reader;
    private volatile string? _fault;

    public Modem(string path, ModemOptions options, TimeProvider time)
    {
        Path = path;
        _options = options;
        _time = time;

        // NewLine "\r" as modems expect; DTR and RTS stay untouched (setting them throws on a pseudo-terminal).
        _port = new SerialPort(path, options.BaudRate) { NewLine = "\r", Encoding = Encoding.ASCII };
    }

    public string Path { get; }

    /// <summary>Registered on the LTE network (<c>+CEREG</c> stat 1 home or 5 roaming).</summary>
    public bool Registered { get; private set; }

    /// <summary><c>+CSQ</c> signal, 0–31; null when unknown (99).</summary>
    public int? Signal { get; private set; }

    /// <summary>Why the modem is unusable (its port closed, a command hung); null while it is fine.</summary>
    public string? Fault => _fault;

    /// <summary>Storage indexes of SMS that arrived (<c>+CMTI</c>), to read with <see cref="ReadSmsAsync"/>.</summary>
    public ChannelReader<int> Incoming => _incoming.Reader;

    /// <summary>Opens the port and sets the modem up: no echo, PDU mode, new-SMS indications, numeric errors.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        _port.Open();
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"modem {Path}" };
        _reader.Start();
        await LeavePromptAsync(cancellationToken).ConfigureAwait(false);
        foreach (var setup in new[] { "ATE0", "AT+CMEE=1", "AT+CMGF=0", "AT+CNMI=2,1,0,0,0" })
        {
            var answer = await CommandAsync(setup, cancellationToken).ConfigureAwait(false);
            if (!answer.Ok)
            {
                throw new ModemException($"modem {Path}: '{setup}' answered {answer.Final}");
            }
        }

        await RefreshStatusAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends ESC and waits briefly for its answer. A modem left at the <c>AT+CMGS</c> prompt (the aggregator restarted
    /// or timed out before the PDU) reads everything as PDU until Ctrl-Z; ESC cancels that message unsent (<c>OK</c>).
    /// At the command line ESC and CR make an empty, wrong command (<c>ERROR</c>). Either answer, or none, will do.
    /// </summary>
    private async Task LeavePromptAsync(CancellationToken cancellationToken)
    {
        Drain();
        Write(Escape + "\r");
        using var wait = new CancellationTokenSource(PromptEscapeWait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wait.Token);
        try
        {
            string line;
            do
            {
                line = await _lines.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
            }
            while (!Finals.Contains(line));
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // no answer: a modem that ignores a lone ESC
        }
    }

    /// <summary>Reads registration (<c>AT+CEREG?</c>) and signal (<c>AT+CSQ</c>).</summary>
    public async Task RefreshStatusAsync(CancellationToken cancellationToken)
    {
        var reg = await CommandAsync("AT+CEREG?", cancellationToken).ConfigureAwait(false);
        Registered = Field(reg, "+CEREG:", 1) is 1 or 5;
        var csq = await CommandAsync("AT+CSQ", cancellationToken).ConfigureAwait(false);
        Signal = Field(csq, "+CSQ:", 0) is { } rssi and not 99 ? rssi : null;
    }

    /// <summary>Sends the parts of one SMS; returns the message references (<c>+CMGS: n</c>).</summary>
    public async Task<IReadOnlyList<int>> SendSmsAsync(IReadOnlyList<SubmitPdu> parts, CancellationToken cancellationToken)
    {
        var references = new List<int>();
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var part in parts)
            {
                Drain();
                Write($"AT+CMGS={part.Length.ToString(CultureInfo.InvariantCulture)}\r");
                string prompt;
                try
                {
                    prompt = await NextLineAsync("AT+CMGS", cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    Write(Escape); // the prompt may still come: leave it, or the modem reads every later command as PDU
                    throw;
                }

                if (prompt != ">")
                {
                    throw new ModemException($"modem {Path}: AT+CMGS answered {prompt} instead of the '>' prompt");
                }

                Write(part.Hex + "\u001a");
                var answer = await FinalAsync("AT+CMGS", cancellationToken).ConfigureAwait(false);
                if (!answer.Ok || Field(answer, "+CMGS:", 0) is not { } reference)
                {
                    throw new ModemException($"modem {Path}: the SMS was not sent ({answer.Final})");
                }

                references.Add(reference);
            }
        }
        finally
        {
            _lock.Release();
        }

        return references;
    }

    /// <summary>
    /// Rings <paramref name="phone"/>: dials, polls <c>AT+CLCC</c> once a second, and hangs up (<c>ATH</c>) when it
    /// is answered or has rung <see cref="ModemOptions.RingFor"/>. Reached once the call shows alerting or active.
    /// </summary>
    public async Task<CallResult> CallAsync(string phone, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var dial = await ExchangeAsync($"ATD+{phone};", cancellationToken).ConfigureAwait(false);
            if (!dial.Ok)
            {
                return new CallResult(false, $"ATD answered {dial.Final}");
            }

            var reached = false;
            var started = _time.GetTimestamp();
            try
            {
                while (_time.GetElapsedTime(started) < _options.RingFor)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
                    var calls = await ExchangeAsync("AT+CLCC", cancellationToken).ConfigureAwait(false);
                    var stat = Field(calls, "+CLCC:", 2);
                    if (!calls.Ok || stat is null)
                    {
                        return new CallResult(reached, reached ? "rang, then the call ended" : $"the call ended before it rang ({calls.Final})");
                    }

                    if (stat == 0)
                    {
                        return new CallResult(true, "answered");
                    }

                    reached |= stat is 3; // alerting: the phone is ringing
                }

                return new CallResult(reached, reached ? "rang, not answered" : "never rang");
            }
            finally
            {
                await ExchangeAsync("ATH", CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Reads and deletes the SMS at <paramref name="index"/>.</summary>
    public async Task<DeliveredSms?> ReadSmsAsync(int index, CancellationToken cancellationToken)
    {
        var read = await CommandAsync($"AT+CMGR={index.ToString(CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
        await CommandAsync($"AT+CMGD={index.ToString(CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
        var header = read.Lines.ToList().FindIndex(l => l.StartsWith("+CMGR:", StringComparison.Ordinal));
        return read.Ok && header >= 0 && header + 1 < read.Lines.Count ? SmsPdu.Deliver(read.Lines[header + 1]) : null;
    }

    /// <summary>One command, under the modem's lock.</summary>
    public async Task<AtResponse> CommandAsync(string command, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ExchangeAsync(command, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<AtResponse> ExchangeAsync(string command, CancellationToken cancellationToken)
    {
        Drain();
        Write(command + "\r");
        return await FinalAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AtResponse> FinalAsync(string command, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await NextLineAsync(command, cancellationToken).ConfigureAwait(false);
            if (Finals.Contains(line) || line.StartsWith("+CMS ERROR", StringComparison.Ordinal) || line.StartsWith("+CME ERROR", StringComparison.Ordinal))
            {
                return new AtResponse(line, lines);
            }

            lines.Add(line);
        }
    }

    private async Task<string> NextLineAsync(string command, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.CommandTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await _lines.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _fault = $"no answer to {command} within {_options.CommandTimeout.TotalSeconds:0} s";
            throw new TimeoutException($"modem {Path}: {_fault}");
        }
        catch (ChannelClosedException)
        {
            throw new ModemException($"modem {Path}: {_fault ?? "the port closed"}");
        }
    }

    private void Write(string text)
    {
        try
        {
            _port.Write(text);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            _fault = $"the port failed: {ex.Message}";
            throw new ModemException($"modem {Path}: {_fault}");
        }
    }

    private void Drain()
    {
        while (_lines.Reader.TryRead(out _))
        {
        }
    }

    private void ReadLoop()
    {
        var line = new StringBuilder();
        var buffer = new byte[512];
        try
        {
            while (true)
            {
                var n = _port.BaseStream.Read(buffer, 0, buffer.Length);
                if (n <= 0)
                {
                    break;
                }

                foreach (var c in Encoding.ASCII.GetString(buffer, 0, n))
                {
                    if (c is '\r' or '\n')
                    {
                        Route(line.ToString().Trim());
                        line.Clear();
                    }
                    else
                    {
                        line.Append(c);
                        if (line.Length == 2 && line[0] == '>' && line[1] == ' ')
                        {
                            Route(">"); // the AT+CMGS prompt ends with no newline
                            line.Clear();
                        }
                    }
                }
            }

            _fault ??= "the port closed";
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException or UnauthorizedAccessException)
        {
            _fault ??= $"the port failed: {ex.Message}";
        }

        _lines.Writer.TryComplete();
        _incoming.Writer.TryComplete();
    }

    private void Route(string line)
    {
        if (line.Length == 0 || line == "RING")
        {
            return;
        }

        if (line.StartsWith("+CMTI:", StringComparison.Ordinal))
        {
            if (int.TryParse(line[(line.LastIndexOf(',') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                _incoming.Writer.TryWrite(index);
            }

            return;
        }

        _lines.Writer.TryWrite(line);
    }

    /// <summary>The <paramref name="index"/>th number of the line that starts with <paramref name="prefix"/>.</summary>
    private static int? Field(AtResponse answer, string prefix, int index)
    {
        var line = answer.Lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        var fields = line?[prefix.Length..].Split(',');
        return fields is not null && index < fields.Length && int.TryParse(fields[index].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    public void Dispose()
    {
        _fault ??= "closed";
        try
        {
            _port.Close();
        }
        catch (IOException)
        {
        }

        _port.Dispose();
        _lock.Dispose();
    }
}
