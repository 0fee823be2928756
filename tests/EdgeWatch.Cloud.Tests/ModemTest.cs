using EdgeWatch.Emulators;
using Microsoft.Extensions.Time.Testing;

namespace EdgeWatch.Cloud.Tests;

/// <summary>A test class with its own modem emulator on a socat pseudo-terminal, fresh for each test.</summary>
public abstract class ModemTest : IAsyncLifetime
{
    private readonly string _dir = Eventually.TempDirectory("edgewatch-modem");

    protected ModemEmulator Modem { get; private set; } = null!;

    /// <summary>How long the emulator takes per <c>AT+CMGS</c> (a real modem: about 3 s).</summary>
    protected virtual TimeSpan SendDelay => TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Moves a fake clock on by 100 ms and returns true: for a wait's condition, so that whatever runs on the
    /// aggregator's clock meanwhile (the outbox's retry backoff, the modem's reconnect after a command timed out
    /// because a jump of the clock overtook the emulator's answer) goes on while the test waits.
    /// </summary>
    protected static bool Ticked(FakeTimeProvider time)
    {
        time.Advance(TimeSpan.FromMilliseconds(100));
        return true;
    }

    public virtual async Task InitializeAsync()
    {
        Modem = await ModemEmulator.StartAsync(_dir);
        Modem.SendDelay = SendDelay;
    }

    public virtual async Task DisposeAsync()
    {
        await Modem.DisposeAsync();
        Directory.Delete(_dir, true);
    }
}
