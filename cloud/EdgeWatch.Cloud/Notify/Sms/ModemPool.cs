using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace EdgeWatch.Cloud.Notify.Sms;

/// <summary>How a modem is doing, for health.</summary>
public sealed record ModemStatus(string Port, bool Open, bool Registered, int? Signal, string? Fault);

/// <summary>
/// The modems that send SMS and place calls. Each port has its own supervision loop: open and set up the modem (again
/// after any fault, with backoff), read registration and signal, and read incoming SMS, which go to
/// <see cref="SmsReceived"/>. A modem that is open and registered is lent to one sender at a time
/// (<see cref="AcquireAsync"/>): one modem sends one SMS at a time, and more modems send more at once.
/// </summary>
public sealed partial class ModemPool : BackgroundService
{
    private readonly ModemOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ModemPool> _logger;
    private readonly Lock _lend = new();
    private readonly List<Modem> _idle = [];
    private readonly List<(int Priority, long Order, TaskCompletionSource<Modem> Handed)> _waiting = [];
    private long _order;
    private readonly Dictionary<string, ModemStatus> _status;

    public ModemPool(IOptions<ModemOptions> options, TimeProvider time, ILogger<ModemPool> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _status = _options.Ports.ToDictionary(p => p, p => new ModemStatus(p, false, false, null, "not opened yet"));
    }

    public bool Enabled => _options.Ports.Count > 0;

    public int Count => _options.Ports.Count;

    public bool Gsm7 => _options.Gsm7;

    /// <summary>Called for every SMS a modem receives (acknowledgement replies).</summary>
    public Func<DeliveredSms, CancellationToken, Task>? SmsReceived { get; set; }

    public IReadOnlyList<ModemStatus> Status
    {
        get
        {
            lock (_status)
            {
                return [.. _status.Values];
            }
        }
    }

    /// <summary>
    /// A free, registered modem, or null when none is free within <paramref name="wait"/>. Senders waiting for a modem
    /// get one in order of <paramref name="priority"/> (lowest first), then of arrival: a fire's first SMS before a
    /// call, a call before anyone's details.
    /// </summary>
    public async Task<Modem?> AcquireAsync(int priority, TimeSpan wait, CancellationToken cancellationToken)
    {
        var handed = new TaskCompletionSource<Modem>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lend)
        {
            _idle.RemoveAll(m => !Usable(m));
            if (_idle.Count > 0)
            {
                var modem = _idle[0];
                _idle.RemoveAt(0);
                return modem;
            }

            _waiting.Add((priority, _order++, handed));
        }

        try
        {
            return await handed.Task.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_lend)
            {
                _waiting.RemoveAll(w => w.Handed == handed);
            }

            if (handed.Task.IsCompletedSuccessfully)
            {
                Release(handed.Task.Result); // handed over just as the wait ended: pass it on
            }

            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return null;
        }
    }

    /// <summary>Gives a modem back (or lends a newly usable one): to the most urgent waiting sender, else to the idle ones.</summary>
    public void Release(Modem modem)
    {
        lock (_lend)
        {
            if (!Usable(modem) || _idle.Contains(modem))
            {
                return;
            }

            foreach (var waiter in _waiting.OrderBy(w => w.Priority).ThenBy(w => w.Order).ToList())
            {
                _waiting.Remove(waiter);
                if (waiter.Handed.TrySetResult(modem))
                {
                    return;
                }
            }

            _idle.Add(modem);
        }
    }

    private static bool Usable(Modem modem) => modem.Fault is null && modem.Registered;

    /// <summary>
    /// How long a sender waits for a modem: while one is usable, long enough for the messages ahead (a 3-part SMS
    /// takes about 9 s); when none is, briefly, so the row records the trouble and retries.
    /// </summary>
    public TimeSpan Patience => Status.Any(s => s.Fault is null) ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_options.Ports.Select(p => Task.Run(() => SuperviseAsync(p, stoppingToken), stoppingToken)));

    private async Task SuperviseAsync(string port, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            using var modem = new Modem(port, _options, _time);
            try
            {
                await modem.OpenAsync(stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromSeconds(1);
                Report(modem, null);
                var wasRegistered = modem.Registered;
                Release(modem); // lent out if registered

                var nextStatus = _time.GetUtcNow() + _options.StatusInterval;
                while (modem.Fault is null)
                {
                    using var tick = new CancellationTokenSource(Max(nextStatus - _time.GetUtcNow(), TimeSpan.Zero), _time);
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, tick.Token);
                    try
                    {
                        var index = await modem.Incoming.ReadAsync(wait.Token).ConfigureAwait(false);
                        if (await modem.ReadSmsAsync(index, stoppingToken).ConfigureAwait(false) is { } sms && SmsReceived is { } handler)
                        {
                            await handler(sms, stoppingToken).ConfigureAwait(false);
                        }
                    }
                    catch (OperationCanceledException) when (tick.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                    {
                        await modem.RefreshStatusAsync(stoppingToken).ConfigureAwait(false);
                        nextStatus = _time.GetUtcNow() + _options.StatusInterval;
                        Report(modem, null);
                        if (modem.Registered && !wasRegistered)
                        {
                            Release(modem); // registered again: lend it out
                        }

                        wasRegistered = modem.Registered;
                    }
                    catch (FormatException ex)
                    {
                        ModemLog.BadIncoming(_logger, port, ex.Message);
                    }
                }

                Report(modem, modem.Fault);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException or ChannelClosedException or ArgumentException)
            {
                Report(modem, ex.Message);
            }

            try
            {
                await Task.Delay(backoff, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = Max(TimeSpan.FromSeconds(1), TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, backoff.Ticks * 2)));
        }
    }

    private void Report(Modem modem, string? fault)
    {
        var status = new ModemStatus(modem.Path, fault is null, modem.Registered, modem.Signal, fault ?? (modem.Registered ? null : "not registered on the network"));
        ModemStatus? before;
        lock (_status)
        {
            before = _status.GetValueOrDefault(modem.Path);
            _status[modem.Path] = status;
        }

        if (before?.Fault != status.Fault)
        {
            if (status.Fault is { } why)
            {
                ModemLog.Trouble(_logger, modem.Path, why);
            }
            else
            {
                ModemLog.Ready(_logger, modem.Path, modem.Signal ?? 99);
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

internal static partial class ModemLog
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Modem {Port}: ready, registered, signal {Signal}/31")]
    public static partial void Ready(ILogger logger, string port, int signal);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Error, Message = "Modem {Port}: trouble: {Reason}")]
    public static partial void Trouble(ILogger logger, string port, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Modem {Port}: an incoming SMS could not be read: {Reason}")]
    public static partial void BadIncoming(ILogger logger, string port, string reason);
}
