namespace EdgeWatch.Demo;

/// <summary><c>dotnet run --project cloud/EdgeWatch.Cloud -- demo [--port N]</c>: a whole site with no hardware and no services.</summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = 0;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[i + 1], out var p) && p is > 0 and < 65536)
            {
                port = p;
                i++;
            }
            else
            {
                await Console.Error.WriteLineAsync($"demo: unknown or invalid argument '{args[i]}'. Usage: demo [--port <1-65535>]").ConfigureAwait(false);
                return 2;
            }
        }

        var missing = SystemPackages.Missing(SystemPackages.Video);
        if (missing.Count > 0)
        {
            Console.WriteLine("Camera analysis is not available on this machine; missing Debian packages:");
            foreach (var m in missing)
            {
                Console.WriteLine($"  - {m.Package}: {m.Purpose}");
            }

            Console.WriteLine($"  install with: ./test.sh (installs ffmpeg and libgtk-3-0 with apt and unpacks the opencv-doc sample video into .cache/samples)");
            Console.WriteLine("Fire safety needs none of them; everything else starts now, without cameras.");
            Console.WriteLine();
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            stop.Cancel();
        });

        await using var site = await DemoSite.StartAsync(httpPort: port, withCameras: missing.Count == 0, cancellationToken: stop.Token).ConfigureAwait(false);
        var http = site.HttpAddress;
        Console.WriteLine($"""

            EdgeWatch demo site is running: 2 fire-safety groups of 8 households, simulated boards (rpi4-mcp23017),
            {(missing.Count == 0 ? "and one camera per gateway playing the sample pedestrian video (motion at /api/motion)." : "no cameras (see above).")}
              aggregator:  {http}            (live page; events at {http}/api/events)
              broker:      mqtt://127.0.0.1:{site.BrokerPort}   (watch: mosquitto_sub -h 127.0.0.1 -p {site.BrokerPort} -t 'edgewatch/#' -v)
              data:        {site.Directory}

            Trip a detector (gateways gw-g1, gw-g2; channels h1..h8 .smoke, .call-point.inside, .call-point.outside):
              curl -X POST '{http}/demo/trip?gateway=gw-g1&channel=h3.call-point.inside'
            Watch: every siren of group g1 sounds at once, a NOTIFY line below lists every member of the group,
                   and {http}/api/events shows the alarm.
            Then:
              curl -X POST '{http}/demo/silence?gateway=gw-g1'
              curl -X POST '{http}/demo/restore?gateway=gw-g1&channel=h3.call-point.inside'
              curl -X POST '{http}/demo/reset?gateway=gw-g1'
            Ctrl+C stops everything.
            """);
        Console.Out.Flush();

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine("Stopping the demo site...");
        return 0;
    }
}
