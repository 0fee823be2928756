using EdgeWatch.Emulators;

namespace EdgeWatch.Cloud.Tests;

/// <summary>A test class with its own modem emulator on a socat pseudo-terminal, fresh for each test.</summary>
public abstract class ModemTest : IAsyncLifetime
{
    private readonly string _dir = Eventually.TempDirectory("edgewatch-modem");

    protected ModemEmulator Modem { get; private set; } = null!;

    /// <summary>How long the emulator takes per <c>AT+CMGS</c> (a real modem: about 3 s).</summary>
    protected virtual TimeSpan SendDelay => TimeSpan.FromMilliseconds(100);

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
