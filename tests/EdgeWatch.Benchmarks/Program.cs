using EdgeWatch.Benchmarks;

// dotnet run -c Release --project tests/EdgeWatch.Benchmarks -- <benchmark> [options]
// Each benchmark prints progress to stderr and ends with one JSON line on stdout.
// Gateways run with a larger first GC generation (DOTNET_GCgen0size, the setting in gateway/edgewatch-gateway.service),
// so a collection rarely pauses an alarm. The runtime reads it only from the environment, so apply it by re-launching.
const string Gen0 = "DOTNET_GCgen0size";
if (Environment.GetEnvironmentVariable(Gen0) is null && Environment.ProcessPath is { } self)
{
    var psi = new System.Diagnostics.ProcessStartInfo(self) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        psi.ArgumentList.Add(typeof(EdgeWatch.Benchmarks.Percentiles).Assembly.Location);
    }

    foreach (var a in args)
    {
        psi.ArgumentList.Add(a);
    }

    psi.Environment[Gen0] = "0x8000000";
    using var child = System.Diagnostics.Process.Start(psi)!;
    await child.WaitForExitAsync();
    return child.ExitCode;
}

var name = args.FirstOrDefault();
return name switch
{
    "alarm-latency" => await AlarmLatencyBenchmark.RunAsync(args[1..]),
    "outage" => await OutageBenchmark.RunAsync(args[1..]),
    "motion" => await MotionBenchmark.RunAsync(args[1..]),
    "motion-quality" => MotionQualityBenchmark.Run(args[1..]),
    "fire-under-load" => await FireUnderLoadBenchmark.RunAsync(args[1..]),
    "notify" => await NotifyBenchmark.RunAsync(args[1..]),
    "ready" => await ReadyBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: EdgeWatch.Benchmarks alarm-latency [--gateways N] [--alarms N] [--seed N]");
    Console.Error.WriteLine("       EdgeWatch.Benchmarks outage [--gateways N] [--outage-seconds N]");
    Console.Error.WriteLine("       EdgeWatch.Benchmarks motion");
    Console.Error.WriteLine("       EdgeWatch.Benchmarks fire-under-load [--cycles N] [--env NAME=VALUE]...");
    Console.Error.WriteLine("       EdgeWatch.Benchmarks notify [--alarms N] [--sms-ms N]");
    Console.Error.WriteLine("       EdgeWatch.Benchmarks ready [--runs N]");
    return 2;
}
