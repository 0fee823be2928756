using System.Runtime.InteropServices;

namespace EdgeWatch.Gateway.Cameras;

/// <summary>
/// Fault injection for the camera process: with <c>EDGEWATCH_FAULT_INJECTION=native-crash-on-sigusr1</c> in its
/// environment, SIGUSR1 makes it fault in native code (a real SIGSEGV, as a bad OpenCV or codec call would). A
/// SIGSEGV sent with <c>kill</c> is not enough: the .NET runtime ignores one that no fault caused.
/// </summary>
internal static partial class NativeCrash
{
    public const string Variable = "EDGEWATCH_FAULT_INJECTION";
    public const string OnSigusr1 = "native-crash-on-sigusr1";
    private const int Sigusr1 = 10;

    public static PosixSignalRegistration? ArmFromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) == OnSigusr1 && OperatingSystem.IsLinux()
            ? PosixSignalRegistration.Create((PosixSignal)Sigusr1, _ => Now())
            : null;

    /// <summary>Reads through address 1 in native code.</summary>
    public static void Now() => _ = Strlen(1);

    [LibraryImport("libc", EntryPoint = "strlen")]
    private static partial nint Strlen(nint s);
}
