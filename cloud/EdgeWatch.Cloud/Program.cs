using EdgeWatch.Cloud;
using Microsoft.Extensions.Options;

try
{
    if (args.Length > 0 && args[0] == "demo")
    {
        // The demo lives in its own project, so the aggregator ships neither the gateway nor OpenCV.
        await Console.Error.WriteLineAsync("edgewatch-cloud: the demo is its own program now: ./demo.sh, or dotnet run --project cloud/EdgeWatch.Demo");
        return 2;
    }

    await using var app = CloudApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"edgewatch-cloud: configuration error: {string.Join("; ", ex.Failures)}");
    return 2;
}
catch (InvalidDataException ex)
{
    await Console.Error.WriteLineAsync($"edgewatch-cloud: {ex.Message}");
    return 2;
}
