using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EdgeWatch.Emulators;

/// <summary>An SMS the emulated network delivered: all its parts, joined.</summary>
public sealed record ReceivedSms(string Destination, string Text, bool Ucs2, int Parts, string Port);

/// <summary>A call the emulated network carried: how long it rang and whether the callee answered.</summary>
public sealed record PlacedCall(string Number, bool Alerted, bool Answered, string Port);

/// <summary>
/// An LTE modem (Quectel EC25 / SIMCom SIM7600 AT dialect) on a pseudo-terminal: Debian's <c>socat</c> makes the pty
/// pair, the aggregator opens <see cref="Port"/> as a serial port, and the emulator answers AT commands on the other
/// end. It echoes until <c>ATE0</c>, takes <see cref="SendDelay"/> (about 3 s, like a real modem) per <c>AT+CMGS</c>,
/// decodes the PDU it is given, and can play the failures of a real one: <c>+CMS ERROR</c>, a hang with no answer,
/// losing registration, a busy line. <see cref="Reply"/> delivers an SMS to the modem (<c>+CMTI</c>, then
/// <c>AT+CMGR</c> and <c>AT+CMGD</c>).
/// </summary>
public sealed class ModemEmulator : IAsyncDisposable
{
    private readonly Process _socat;
    private readonly FileStream _in;
    private readonly FileStream _out;
    private readonly Thread _thread;
    private readonly Lock _write = new();
    private readonly ConcurrentDictionary<int, string> _stored = new();
    private readonly Dictionary<(string, int), SortedDictionary<int, SubmittedPart>> _partial = [];
    private bool _echo = true;
    private int _nextIndex;
    private int _nextReference;
    private string? _call;
    private long _callStarted;
    private bool _callAlerted;

    private ModemEmulator(Process socat, string port, FileStream input, FileStream output)
    {
        _socat = socat;
        Port = port;
        _in = input;
        _out = output;
        _thread = new Thread(Run) { IsBackground = true, Name = "modem emulator" };
        _thread.Start();
    }

    /// <summary>The device the aggregator opens (a symlink to a <c>/dev/pts/N</c>).</summary>
    public string Port { get; }

    /// <summary>How long each <c>AT+CMGS</c> takes before <c>+CMGS: n</c>.</summary>
    public TimeSpan SendDelay { get; set; } = TimeSpan.FromSeconds(3);

    public bool Registered { get; set; } = true;

    public int Signal { get; set; } = 23;

    /// <summary>The next sends answer these <c>+CMS ERROR</c> codes, one each.</summary>
    public ConcurrentQueue<int> CmsErrors { get; } = new();

    /// <summary>The next this many sends never answer (a stuck modem).</summary>
    public int HangNext { get; set; }

    public ConcurrentDictionary<string, bool> BusyNumbers { get; } = new();

    /// <summary>Numbers whose phone answers after ringing for <see cref="AnswerAfter"/>.</summary>
    public ConcurrentDictionary<string, bool> Answering { get; } = new();

    public TimeSpan AnswerAfter { get; set; } = TimeSpan.FromSeconds(2);

    public ConcurrentQueue<ReceivedSms> Messages { get; } = new();

    public ConcurrentQueue<PlacedCall> Calls { get; } = new();

    /// <summary>Every <c>AT+CMGS</c> part, in the order received.</summary>
    public ConcurrentQueue<SubmittedPart> Parts { get; } = new();

    public Action<ReceivedSms>? OnMessage { get; set; }

    /// <summary>At the <c>AT+CMGS</c> prompt: everything up to Ctrl-Z (or ESC) is the PDU.</summary>
    public bool AtPrompt => Volatile.Read(ref _atPrompt);

    private bool _atPrompt;

    /// <summary>What the modem did, in order: <c>sms 84…</c> for each part sent, <c>call 84…</c> for each dial.</summary>
    public ConcurrentQueue<string> Operations { get; } = new();

    /// <summary>Starts socat with a pty pair in <paramref name="directory"/> (<c>modem</c> for the aggregator).</summary>
    public static async Task<ModemEmulator> StartAsync(string directory, string name = "modem")
    {
        Directory.CreateDirectory(directory);
        var port = Path.Combine(directory, name);
        var far = Path.Combine(directory, name + ".emulator");
        var socat = Process.Start(new ProcessStartInfo("socat", ["-d", $"pty,raw,echo=0,link={port}", $"pty,raw,echo=0,link={far}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("socat did not start");
        socat.ErrorDataReceived += (_, _) => { };
        socat.BeginErrorReadLine();
        var started = Stopwatch.StartNew();
        while (!(File.Exists(port) && File.Exists(far)))
        {
            if (socat.HasExited || started.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"socat made no pty pair in {directory} (exit {(socat.HasExited ? socat.ExitCode : -1)})");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        var input = new FileStream(far, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, false);
        var output = new FileStream(far, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, false);
        return new ModemEmulator(socat, port, input, output);
    }

    /// <summary>Delivers an SMS from <paramref name="from"/> (<c>84…</c>) to the modem, as a phone's reply.</summary>
    public void Reply(string from, string text)
    {
        var index = Interlocked.Increment(ref _nextIndex);
        _stored[index] = ModemPdu.EncodeDeliver(from, text, DateTimeOffset.UtcNow);
        Send($"\r\n+CMTI: \"SM\",{index}\r\n");
    }

    private void Run()
    {
        var line = new StringBuilder();
        var buffer = new byte[1];
        try
        {
            while (_in.Read(buffer, 0, 1) == 1)
            {
                var c = (char)buffer[0];
                if (_echo)
                {
                    Send(c.ToString());
                }

                if (c == '\r')
                {
                    Command(line.ToString().Trim());
                    line.Clear();
                }
                else if (c != '\n')
                {
                    line.Append(c);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // the pty closed: the emulator is being disposed
        }
    }

    private void Command(string command)
    {
        var upper = command.ToUpperInvariant();
        switch (upper)
        {
            case "":
                return;
            case "AT" or "AT+CMEE=1" or "AT+CMGF=0" or "AT+CNMI=2,1,0,0,0":
                Ok();
                return;
            case "ATE0":
                _echo = false;
                Ok();
                return;
            case "AT+CSQ":
                Answer($"+CSQ: {(Registered ? Signal : 99)},99");
                return;
            case "AT+CEREG?":
                Answer($"+CEREG: 0,{(Registered ? 1 : 2)}");
                return;
            case "AT+CLCC":
                ListCalls();
                return;
            case "ATH":
                HangUp();
                Ok();
                return;
        }

        if (upper.StartsWith("AT+CMGS=", StringComparison.Ordinal))
        {
            SendSms(int.Parse(command[8..], CultureInfo.InvariantCulture));
        }
        else if (upper.StartsWith("ATD", StringComparison.Ordinal) && upper.EndsWith(';'))
        {
            Dial(command[3..^1].TrimStart('+'));
        }
        else if (upper.StartsWith("AT+CMGR=", StringComparison.Ordinal) && _stored.TryGetValue(int.Parse(command[8..], CultureInfo.InvariantCulture), out var pdu))
        {
            Send($"\r\n+CMGR: 0,,{(pdu.Length / 2) - 1}\r\n{pdu}\r\n\r\nOK\r\n");
        }
        else if (upper.StartsWith("AT+CMGD=", StringComparison.Ordinal))
        {
            _stored.TryRemove(int.Parse(command[8..], CultureInfo.InvariantCulture), out _);
            Ok();
        }
        else
        {
            Send("\r\nERROR\r\n");
        }
    }

    private void SendSms(int length)
    {
        Send("\r\n> ");
        var hex = new StringBuilder();
        var buffer = new byte[1];
        Volatile.Write(ref _atPrompt, true);
        try
        {
            while (_in.Read(buffer, 0, 1) == 1 && buffer[0] != 0x1A)
            {
                if (buffer[0] == 0x1B)
                {
                    Ok(); // ESC cancels the message
                    return;
                }

                hex.Append((char)buffer[0]);
            }
        }
        finally
        {
            Volatile.Write(ref _atPrompt, false);
        }

        if (!Registered)
        {
            Send("\r\n+CMS ERROR: 331\r\n"); // no network service
            return;
        }

        if (HangNext > 0)
        {
            HangNext--;
            return;
        }

        Thread.Sleep(SendDelay);
        if (CmsErrors.TryDequeue(out var error))
        {
            Send($"\r\n+CMS ERROR: {error}\r\n");
            return;
        }

        SubmittedPart part;
        try
        {
            var pdu = Convert.FromHexString(hex.ToString().Trim());
            if (pdu.Length - 1 - pdu[0] != length)
            {
                Send("\r\n+CMS ERROR: 304\r\n"); // invalid PDU mode parameter: the length is wrong
                return;
            }

            part = ModemPdu.DecodeSubmit(pdu);
        }
        catch (Exception ex) when (ex is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            Send("\r\n+CMS ERROR: 304\r\n");
            return;
        }

        Parts.Enqueue(part);
        Operations.Enqueue($"sms {part.Destination}");
        Assemble(part);
        Send($"\r\n+CMGS: {Interlocked.Increment(ref _nextReference) % 256}\r\n\r\nOK\r\n");
    }

    private void Assemble(SubmittedPart part)
    {
        if (part.Total == 1)
        {
            Deliver(new ReceivedSms(part.Destination, part.Text, part.Ucs2, 1, Port));
            return;
        }

        var key = (part.Destination, part.Reference ?? 0);
        if (!_partial.TryGetValue(key, out var parts))
        {
            _partial[key] = parts = [];
        }

        parts[part.Sequence] = part;
        if (parts.Count == part.Total)
        {
            _partial.Remove(key);
            Deliver(new ReceivedSms(part.Destination, string.Concat(parts.Values.Select(p => p.Text)), part.Ucs2, part.Total, Port));
        }
    }

    private void Deliver(ReceivedSms sms)
    {
        Messages.Enqueue(sms);
        OnMessage?.Invoke(sms);
    }

    private void Dial(string number)
    {
        if (!Registered)
        {
            Send("\r\nNO CARRIER\r\n");
            return;
        }

        Operations.Enqueue($"call {number}");
        if (BusyNumbers.ContainsKey(number))
        {
            Send("\r\nBUSY\r\n");
            Calls.Enqueue(new PlacedCall(number, false, false, Port));
            return;
        }

        (_call, _callStarted, _callAlerted) = (number, Stopwatch.GetTimestamp(), false);
        Ok();
    }

    private void ListCalls()
    {
        if (_call is { } number)
        {
            var answered = Answering.ContainsKey(number) && Stopwatch.GetElapsedTime(_callStarted) >= AnswerAfter;
            _callAlerted = true;

            // +CLCC: id,dir,stat,mode,mpty,number,type — stat 3 alerting, 0 active
            Send($"\r\n+CLCC: 1,0,{(answered ? 0 : 3)},0,0,\"+{number}\",145\r\n\r\nOK\r\n");
            return;
        }

        Ok();
    }

    private void HangUp()
    {
        if (_call is { } number)
        {
            Calls.Enqueue(new PlacedCall(number, _callAlerted, Answering.ContainsKey(number) && Stopwatch.GetElapsedTime(_callStarted) >= AnswerAfter, Port));
        }

        _call = null;
    }

    private void Ok() => Send("\r\nOK\r\n");

    private void Answer(string line) => Send($"\r\n{line}\r\n\r\nOK\r\n");

    private void Send(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        lock (_write)
        {
            _out.Write(bytes);
            _out.Flush();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socat.Kill();
            await _socat.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }

        _socat.Dispose();
        await _in.DisposeAsync().ConfigureAwait(false);
        await _out.DisposeAsync().ConfigureAwait(false);
    }
}
