using EdgeWatch.Benchmarks;

// dotnet run -c Release --project tests/EdgeWatch.Benchmarks -- <benchmark> [options]
// Each benchmark prints progress to stderr and ends with one JSON line on stdout.
var name = args.FirstOrDefault();
return name switch
{
    "alarm-latency" => await AlarmLatencyBenchmark.RunAsync(args[1..]),
    "outage" => await OutageBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: EdgeWatch.Benchmarks alarm-latency [--gateways N] [--alarms N] [--seed N]");
    Console.Error.WriteLine("       EdgeWatch.Benchmarks outage [--gateways N] [--outage-seconds N]");
    return 2;
}
