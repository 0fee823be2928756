using EdgeWatch.Hardware;
using EdgeWatch.Hardware.Channels;
using EdgeWatch.Hardware.Profiles;
using EdgeWatch.Protocol;
using Microsoft.Extensions.Logging;

namespace EdgeWatch.Gateway.FireSafety;

/// <summary>The group state machine: alarm, silence, resound, reset, siren test, and the persisted latch.</summary>
public sealed partial class FireSafetyEngine
{
    /// <summary>
    /// An alarm latched before a crash or power cut sounds again at once, before any input is read: the group goes
    /// to alarm (a silence does not survive a restart), and a new alarm event with cause <c>resumed</c> carries the
    /// original alarm's id so the aggregator joins it to that alarm.
    /// </summary>
    private void ResumeLatchedAlarm()
    {
        if (_latch is null)
        {
            return;
        }

        var (latch, problem) = _latch.Load();
        if (problem is not null)
        {
            SetTrouble("latch", null, "storage", true, null, problem);
        }

        if (latch is null)
        {
            return;
        }

        State = GroupState.Alarm;
        _latched = latch with { State = GroupState.Alarm };
        _alarmedSinceReset.Add(latch.Channel);
        _sirens.Sound();
        _sirens.Strobes(true);
        FireSafetyLog.Resumed(_logger, _events.Identity.Group, latch.AlarmId, latch.Channel, latch.Since);
        _latch.Save(_latched);
        Emit(_events.Create(FireEventKind.Alarm, latch.Household, latch.Channel, "resumed"));
    }

    /// <summary>Records the latch after a state change (alarm, silence, resound, reset), off the alarm path's thread.</summary>
    private void Latch(GroupState state)
    {
        if (_latched is null)
        {
            return;
        }

        _latched = state == GroupState.Normal ? null : _latched with { State = state };
        _latch?.Save(_latched);
    }


    private void OnFireInput(ChannelSpec spec, bool active, string cause, double? value)
    {
        if (!active)
        {
            if (_activeFire.Remove(spec.Id))
            {
                Emit(_events.Create(FireEventKind.Restore, spec.Household, spec.Id, cause, value));
            }

            return;
        }

        if (!_activeFire.Add(spec.Id))
        {
            return;
        }

        _alarmedSinceReset.Add(spec.Id);
        if (TestActive)
        {
            EndTest("interrupted-by-alarm");
        }

        // Sirens first, then the event: the alarm sounds locally before anything touches the network.
        var previous = State;
        State = GroupState.Alarm;
        _silenceTimer?.Dispose();
        _silenceTimer = null;
        _sirens.Sound();
        _sirens.Strobes(true);
        FireSafetyLog.Alarm(_logger, _events.Identity.Group, spec.Id, cause, spec.Household, _sirenCount);
        var alarm = _events.Create(FireEventKind.Alarm, spec.Household, spec.Id, cause, value);
        if (_latched is null)
        {
            _latched = new AlarmLatch(alarm.Id, GroupState.Alarm, spec.Id, spec.Household, cause, alarm.WallTime);
            _latch?.Save(_latched);
        }
        else if (previous != GroupState.Alarm)
        {
            Latch(GroupState.Alarm);
        }

        Emit(alarm);
        if (previous == GroupState.Silenced)
        {
            Emit(_events.Create(FireEventKind.Resound, spec.Household, spec.Id, "new-detector"));
        }
    }

    /// <summary>Silences the sirens for <see cref="FireSafetyOptions.SilenceDuration"/>. The alarm stays active; strobes stay on.</summary>
    public CommandResult Silence(string source)
    {
        lock (_gate)
        {
            if (State == GroupState.Normal)
            {
                if (TestActive)
                {
                    EndTest($"silenced by {source}");
                    return CommandResult.Ok("siren test ended");
                }

                return CommandResult.Refused("no alarm to silence");
            }

            if (State == GroupState.Silenced)
            {
                return CommandResult.Ok("already silenced");
            }

            State = GroupState.Silenced;
            _sirens.Hush();
            Latch(State);
            _silenceTimer?.Dispose();
            _silenceTimer = _alarmClock.CreateTimer(_ => OnSilenceExpired(), null, _options.SilenceDuration, Timeout.InfiniteTimeSpan);
            Emit(_events.Create(FireEventKind.Silence, cause: source, value: _options.SilenceDuration.TotalSeconds));
            return CommandResult.Ok($"silenced for {_options.SilenceDuration}");
        }
    }

    private void OnSilenceExpired()
    {
        lock (_gate)
        {
            if (State != GroupState.Silenced)
            {
                return;
            }

            State = GroupState.Alarm;
            _sirens.Sound();
            Latch(State);
            Emit(_events.Create(FireEventKind.Resound, cause: "silence-expired"));
        }
    }

    /// <summary>Returns the group to normal, but only once every fire input is back to normal.</summary>
    public CommandResult Reset(string source)
    {
        lock (_gate)
        {
            var stillActive = _activeFire
                .Concat(_inputs.Values.Where(d => d.Input.Spec.Kind.IsFireInput() && d.Input.IsActive).Select(d => d.Input.Spec.Id))
                .Concat(_loops.Values.Where(l => l.Confirmed == LoopState.Alarm || l.Pending == LoopState.Alarm).Select(l => l.Loop.Spec.Id))
                .Distinct()
                .Order(StringComparer.Ordinal)
                .ToList();
            if (stillActive.Count > 0)
            {
                var reason = $"still active: {string.Join(", ", stillActive)}";
                FireSafetyLog.ResetRefused(_logger, reason);
                return CommandResult.Refused(reason);
            }

            if (State == GroupState.Normal && !TestActive)
            {
                return CommandResult.Ok("already normal");
            }

            if (TestActive)
            {
                EndTest($"reset by {source}");
            }

            State = GroupState.Normal;
            _silenceTimer?.Dispose();
            _silenceTimer = null;
            _sirens.Hush();
            _sirens.Strobes(false);
            _alarmedSinceReset.Clear();
            var reset = _events.Create(FireEventKind.Reset, cause: source);
            Emit(reset); // still carries the alarm's id
            Latch(GroupState.Normal);
            return CommandResult.Ok("reset");
        }
    }

    /// <summary>Sounds every siren for a while so that feedback supervision can prove them. Every event says test.</summary>
    /// <param name="scheduled">The weekly test from <see cref="SirenTestScheduleOptions"/> rather than a command.</param>
    public CommandResult StartSirenTest(TimeSpan? duration = null, bool scheduled = false)
    {
        lock (_gate)
        {
            if (State != GroupState.Normal)
            {
                return CommandResult.Refused($"group is in {State}; a siren test only runs when normal");
            }

            if (TestActive)
            {
                return CommandResult.Ok("siren test already running");
            }

            var length = duration ?? _options.SirenTestDuration;
            TestActive = true;
            _sirens.Sound();
            _testTimer = _alarmClock.CreateTimer(_ => { lock (_gate) { EndTest("completed"); } }, null, length, Timeout.InfiniteTimeSpan);
            Emit(_events.Create(FireEventKind.SirenTest, cause: "start", value: length.TotalSeconds, test: true, detail: scheduled ? "scheduled weekly test" : "requested"));
            return CommandResult.Ok($"siren test for {length}");
        }
    }

    private void EndTest(string why)
    {
        if (!TestActive)
        {
            return;
        }

        TestActive = false;
        _testTimer?.Dispose();
        _testTimer = null;
        if (State == GroupState.Normal)
        {
            _sirens.Hush();
        }

        // Every siren's result (feedback confirmed, no feedback, refused write, no feedback wired) goes in the end event.
        var (confirmed, report) = _sirens.FeedbackReport();
        Emit(_events.Create(FireEventKind.SirenTest, cause: $"end:{why}", value: confirmed, test: true, detail: report));
    }
}
