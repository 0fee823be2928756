using System.Diagnostics;
using System.Globalization;
using EdgeWatch.Gateway.Motion;
using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Protocol;

namespace EdgeWatch.Gateway.Commissioning;

/// <summary>The self-test's checks of the hardware, the cameras and the clock, each one line a technician can act on.</summary>
internal static class SelftestChecks
{
    /// <summary>Every detector, call point, button and loop: normal passes; an alarm or a fault fails.</summary>
    public static IEnumerable<SelftestCheck> Inputs(Board board)
    {
        foreach (var contact in board.Inputs.Where(i => i.Spec.Kind != ChannelKind.SirenFeedback))
        {
            var name = $"input {contact.Spec.Id}";
            var where = Describe(contact.Spec);
            yield return (contact.Spec.Kind, contact.IsActive) switch
            {
                (ChannelKind.MainsOk, true) => new SelftestCheck(name, SelftestResult.Pass, $"mains present ({where})"),
                (ChannelKind.MainsOk, false) => new SelftestCheck(name, SelftestResult.Fail, $"no mains ({where}): the node runs on its battery; check the supply"),
                (ChannelKind.Tamper, true) => new SelftestCheck(name, SelftestResult.Fail, $"the enclosure is open ({where}): close it and test again"),
                (_, true) => new SelftestCheck(name, SelftestResult.Fail, $"active ({where}): a detector in alarm or a button held; clear it and test again"),
                _ => new SelftestCheck(name, SelftestResult.Pass, $"normal ({where})"),
            };
        }

        foreach (var loop in board.Loops)
        {
            var reading = loop.Read();
            var volts = reading.Volts.ToString("0.00", CultureInfo.InvariantCulture);
            yield return reading.State switch
            {
                LoopState.Normal => new SelftestCheck($"loop {loop.Spec.Id}", SelftestResult.Pass, $"normal, {volts} V ({Describe(loop.Spec)})"),
                LoopState.Alarm => new SelftestCheck($"loop {loop.Spec.Id}", SelftestResult.Fail, $"in alarm, {volts} V: a detector on the loop is in alarm; clear it and test again"),
                LoopState.OpenCircuit => new SelftestCheck($"loop {loop.Spec.Id}", SelftestResult.Fail, $"trouble: open circuit, {volts} V (a broken wire or a missing end-of-line resistor){(reading.Error is null ? "" : $"; {reading.Error}")}"),
                _ => new SelftestCheck($"loop {loop.Spec.Id}", SelftestResult.Fail, $"trouble: short circuit, {volts} V (wires touching)"),
            };
        }

        foreach (var probe in board.Probes)
        {
            var reading = probe.Read();
            yield return reading.Ok
                ? new SelftestCheck($"heat {probe.Spec.Id}", SelftestResult.Pass, $"normal, {reading.Celsius.ToString("0.0", CultureInfo.InvariantCulture)} °C ({Describe(probe.Spec)})")
                : new SelftestCheck($"heat {probe.Spec.Id}", SelftestResult.Fail, $"trouble: the probe does not answer ({reading.Error})");
        }
    }

    /// <summary>
    /// Pulses each siren for <paramref name="pulse"/>; where a feedback contact is wired it must follow (on, then off).
    /// Unless <paramref name="yes"/>, the technician is asked whether it sounded.
    /// </summary>
    public static async Task<List<SelftestCheck>> SirensAsync(Board board, TimeSpan pulse, bool yes, TextWriter output, TextReader input, TimeProvider time)
    {
        var checks = new List<SelftestCheck>();
        foreach (var siren in board.Outputs.Where(o => o.Spec.Kind == ChannelKind.Siren))
        {
            var feedback = board.Inputs.FirstOrDefault(i => i.Spec.Kind == ChannelKind.SirenFeedback && i.Spec.Supervises == siren.Spec.Id);
            var failures = Board.SetAll([siren], on: true);
            await Task.Delay(pulse, time).ConfigureAwait(false);
            var heard = feedback?.IsActive;
            var stopFailures = Board.SetAll([siren], on: false);
            var released = feedback is null || !feedback.IsActive;
            var name = $"siren {siren.Spec.Id}";
            if (failures.Count > 0 || stopFailures.Count > 0)
            {
                checks.Add(new SelftestCheck(name, SelftestResult.Fail, $"the output could not be driven: {string.Join("; ", failures.Concat(stopFailures).Select(f => f.ToString()))}"));
                continue;
            }

            if (feedback is not null && heard != true)
            {
                checks.Add(new SelftestCheck(name, SelftestResult.Fail, $"driven for {pulse.TotalSeconds:0.##} s but its feedback {feedback.Spec.Id} stayed open: the siren or its relay does not work"));
                continue;
            }

            if (!released)
            {
                checks.Add(new SelftestCheck(name, SelftestResult.Fail, $"its feedback {feedback!.Spec.Id} stayed closed after the siren was switched off: a stuck relay"));
                continue;
            }

            var proof = feedback is null ? "no feedback wired" : $"feedback {feedback.Spec.Id} followed it";
            if (yes)
            {
                checks.Add(new SelftestCheck(name, SelftestResult.Pass, $"sounded {pulse.TotalSeconds:0.##} s; {proof}; not confirmed by ear (--yes)"));
                continue;
            }

            await output.WriteAsync($"Did {siren.Spec.Id} ({Describe(siren.Spec)}) sound? [y/N] ").ConfigureAwait(false);
            var answer = (await input.ReadLineAsync().ConfigureAwait(false))?.Trim();
            checks.Add(answer is "y" or "Y" or "yes" or "có" or "c"
                ? new SelftestCheck(name, SelftestResult.Pass, $"sounded {pulse.TotalSeconds:0.##} s; {proof}; heard by the technician")
                : new SelftestCheck(name, SelftestResult.Fail, $"the technician did not hear it ({proof})"));
        }

        return checks;
    }

    /// <summary>One camera: its stream's resolution and frame rate (ffprobe), and one frame decoded.</summary>
    public static async Task<SelftestCheck> CameraAsync(CameraOptions camera)
    {
        var name = $"camera {camera.Id}";
        var probe = await ProbeAsync(camera.Url).ConfigureAwait(false);
        if (probe.Error is { } error)
        {
            return new SelftestCheck(name, SelftestResult.Fail, $"no stream from {Redacted(camera.Url)}: {error}");
        }

        try
        {
            var grab = Task.Run(() =>
            {
                using var source = FfmpegFrameSource.Open(camera.Url, 640, 360);
                return source.TryRead(out _, out _);
            });
            var grabbed = await grab.WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
            return grabbed
                ? new SelftestCheck(name, SelftestResult.Pass, $"{probe.Width}×{probe.Height} at {probe.Fps.ToString("0.##", CultureInfo.InvariantCulture)} fps; a frame decoded")
                : new SelftestCheck(name, SelftestResult.Fail, $"{probe.Width}×{probe.Height}, but no frame could be decoded");
        }
        catch (TimeoutException)
        {
            return new SelftestCheck(name, SelftestResult.Fail, $"{probe.Width}×{probe.Height}, but no frame within 20 s");
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return new SelftestCheck(name, SelftestResult.Fail, $"camera analysis unavailable: {ex.Message}");
        }
    }

    /// <summary>Whether the wall clock is synchronised (systemd's NTP client): a warning when it is not, never a failure.</summary>
    public static SelftestCheck Clock(DateTimeOffset now)
    {
        var plausible = new EdgeWatch.Gateway.FireSafety.PlausibleClock().IsSynced(now);
        var at = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var synced = Run("timedatectl", "show -p NTPSynchronized --value", TimeSpan.FromSeconds(5));
        return synced switch
        {
            "yes" when plausible => new SelftestCheck("clock", SelftestResult.Pass, $"{at} UTC, synchronised (NTP)"),
            "no" or "yes" => new SelftestCheck("clock", SelftestResult.Warn, $"{at} UTC, not synchronised (NTP): check the network's time server; the aggregator corrects event times meanwhile"),
            _ => new SelftestCheck("clock", SelftestResult.Warn, plausible
                ? $"{at} UTC: plausible, but whether it is synchronised can't be told here (no timedatectl)"
                : $"{at} UTC: not set (a Pi without a real-time clock boots in the past); the aggregator corrects event times until it is"),
        };
    }

    private static string Describe(ChannelSpec spec) => spec.Household is null ? spec.Source.ToString()! : $"{spec.Household}, {spec.Source}";

    /// <summary>A camera URL without its password, for what is printed and uploaded.</summary>
    private static string Redacted(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 ? url.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal) : url;

    private static async Task<(int Width, int Height, double Fps, string? Error)> ProbeAsync(string url)
    {
        var text = await Task.Run(() => Run("ffprobe", $"-v error -select_streams v:0 -show_entries stream=width,height,avg_frame_rate -of csv=p=0 \"{url}\"", TimeSpan.FromSeconds(20))).ConfigureAwait(false);
        var parts = text?.Split(',') ?? [];
        if (parts.Length != 3 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var w) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var h))
        {
            return (0, 0, 0, text is null ? "ffprobe is missing or timed out" : $"ffprobe found no video stream{(text.Length > 0 ? $" ({text})" : "")}");
        }

        var rate = parts[2].Split('/');
        var fps = rate.Length == 2 && double.TryParse(rate[0], CultureInfo.InvariantCulture, out var n) && double.TryParse(rate[1], CultureInfo.InvariantCulture, out var d) && d > 0 ? n / d : 0;
        return (w, h, fps, null);
    }

    /// <summary>A command's trimmed standard output, or null when it is missing or too slow.</summary>
    private static string? Run(string file, string arguments, TimeSpan timeout)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null)
            {
                return null;
            }

            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? stdout.Result.Trim() : (stdout.Result.Trim() is { Length: > 0 } s ? s : "");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
