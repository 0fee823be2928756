using EdgeWatch.Cloud;
using EdgeWatch.Cloud.Demo;
using Microsoft.Extensions.Options;

try
{
    if (args.Length > 0 && args[0] == "demo")
    {
        return await DemoCommand.RunAsync(args[1..]);
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
