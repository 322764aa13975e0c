using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>EndCall, the timers on an ended call, lost connections and ResumeCall (rules 9, 12, 13).</summary>
public sealed class CallDeciderEndingTests
{
    [Theory]
    [InlineData("caller")]
    [InlineData("callee")]
    public void Either_party_ends_a_call(string who)
    {
        var s = InCall();
        s.Advance(TimeSpan.FromMinutes(3));
        var (ender, other) = who == "caller" ? (AlicePhone, BobPhone) : (BobPhone, AlicePhone);
        var ended = s.Do(new EndCall(ender));

        s.AssertState(ender, CallState.Ended, EndReason.EndedLocally, CallStatusCodes.EndedByLocalUser);
        s.AssertState(other, CallState.Ended, EndReason.EndedRemotely, CallStatusCodes.SessionCompleted);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.AnsweredElsewhere, 9904);
        Assert.Equal(s.Now, s.CallerView.EndedAt);
        Assert.Equal(s.Now, s.View(BobPhone).EndedAt);
        AssertNotified(ended, "CallStatusChanged->alice-phone", "CallStatusChanged->bob-phone");
        Assert.Empty(ended.Timers);
        Assert.Empty(ended.FollowUps);
    }

    [Theory]
    [InlineData("caller ends")]
    [InlineData("callee ends")]
    [InlineData("ring timer")]
    public void EndCall_on_an_ended_call_is_InvalidState(string how)
    {
        var s = how == "ring timer" ? Ringing() : InCall();
        switch (how)
        {
            case "caller ends":
                s.Do(new EndCall(AlicePhone));
                break;
            case "callee ends":
                s.Do(new EndCall(BobPhone));
                break;
            default:
                s.Do(new TimerElapsed(CallTimerKind.Ring, "1"));
                break;
        }

        s.Refuse(new EndCall(AlicePhone), ErrorCode.InvalidState);
        s.Refuse(new EndCall(BobPhone), ErrorCode.InvalidState);
        s.Refuse(new EndCall(EvePhone), ErrorCode.CallNotFound);
    }

    [Theory]
    [InlineData("caller holds, callee ends")]
    [InlineData("caller holds, caller ends")]
    [InlineData("callee starts video, caller ends")]
    public void Ending_a_call_with_a_pending_renegotiation_fails_it_for_its_initiator(string story)
    {
        var s = InCall();
        var (initiator, ender, op) = story switch
        {
            "caller holds, callee ends" => (AlicePhone, BobPhone, Hold(AlicePhone, "op-1")),
            "caller holds, caller ends" => (AlicePhone, AlicePhone, Hold(AlicePhone, "op-1")),
            _ => (BobPhone, AlicePhone, VideoStart(BobPhone, "op-1")),
        };
        s.Do(op);
        var ended = s.Do(new EndCall(ender));

        AssertNotified(
            ended,
            "CallOperationCompleted->" + initiator.DeviceId,
            "CallStatusChanged->alice-phone",
            "CallStatusChanged->bob-phone");
        var failed = Single<CallOperationCompletedNotification>(ended);
        Assert.False(failed.Succeeded);
        Assert.Equal(("op-1", op.Operation), (failed.OperationId, failed.Operation));
        Assert.StartsWith("InvalidState:", failed.Error, StringComparison.Ordinal);
        Assert.Null(s.Call.PendingOperation);
        s.AssertState(ender, CallState.Ended, EndReason.EndedLocally, 9901);

        // The answer that arrives later, and the operation timer, change nothing.
        var answerer = initiator == AlicePhone ? BobPhone : AlicePhone;
        s.Refuse(new AnswerRenegotiation(answerer, "op-1", TestSdp.Answer()), ErrorCode.InvalidState);
        s.Unchanged(new TimerElapsed(CallTimerKind.Operation, "op-1"));
    }

    [Fact]
    public void Ending_a_held_call_shows_Ended_with_no_hold_flags()
    {
        var s = InCall();
        s.Do(Hold(AlicePhone, "op-1"));
        s.AnswerPending(BobPhone);
        s.Do(new EndCall(BobPhone));
        Assert.False(s.CallerView.LocalHold);
        Assert.False(s.View(BobPhone).RemoteHold);
        s.AssertState(AlicePhone, CallState.Ended, EndReason.EndedRemotely, 9905);
    }

    [Theory]
    [InlineData(CallTimerKind.Ring, "1")]
    [InlineData(CallTimerKind.Operation, "op-1")]
    [InlineData(CallTimerKind.ReconnectGrace, "Caller:1")]
    [InlineData(CallTimerKind.AnswerCompletion, "")]
    public void Timers_do_nothing_on_an_ended_call(CallTimerKind kind, string token)
    {
        var s = InCall();
        s.Do(Hold(AlicePhone, "op-1"));
        s.Do(new DeviceDisconnected(AlicePhone));
        s.Do(new EndCall(BobPhone));
        var views = s.AllViews();
        var decision = s.Unchanged(new TimerElapsed(kind, token));
        Assert.Empty(decision.Notifications);
        Assert.Equal(views, s.AllViews());
    }

    [Theory]
    [InlineData("caller")]
    [InlineData("callee")]
    public void A_lost_connection_not_resumed_within_the_grace_period_ends_the_call_ConnectionLost(string who)
    {
        var s = InCall();
        var device = who == "caller" ? AlicePhone : BobPhone;
        var side = who == "caller" ? CallSide.Caller : CallSide.Callee;
        var dropped = s.Do(new DeviceDisconnected(device));

        Assert.Empty(dropped.Notifications);
        var grace = Assert.Single(dropped.Timers);
        Assert.Equal(CallTimerKind.ReconnectGrace, grace.Kind);
        Assert.Equal(s.Now + Settings.ReconnectGrace, grace.DueAt);
        Assert.False(s.Call.Party(side).Connected);

        // The call goes on while the grace period runs.
        s.AssertState(AlicePhone, CallState.InCall);
        s.AssertState(BobPhone, CallState.InCall);

        s.Advance(Settings.ReconnectGrace);
        var lost = s.Do(new TimerElapsed(CallTimerKind.ReconnectGrace, grace.Token));
        s.AssertState(AlicePhone, CallState.Ended, EndReason.ConnectionLost, CallStatusCodes.EndedByError);
        s.AssertState(BobPhone, CallState.Ended, EndReason.ConnectionLost, CallStatusCodes.EndedByError);
        AssertNotified(lost, "CallStatusChanged->alice-phone", "CallStatusChanged->bob-phone");
    }

    [Fact]
    public void A_caller_lost_while_ringing_ends_the_call_on_every_ringing_device()
    {
        var s = Ringing();
        var dropped = s.Do(new DeviceDisconnected(AlicePhone));
        var lost = s.Do(new TimerElapsed(CallTimerKind.ReconnectGrace, Assert.Single(dropped.Timers).Token));
        AssertNotified(lost, "CallStatusChanged->alice-phone", "CallStatusChanged->bob-phone", "CallStatusChanged->bob-laptop");
        s.AssertState(BobPhone, CallState.Ended, EndReason.ConnectionLost, 9906);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.ConnectionLost, 9906);
    }

    [Fact]
    public void Resuming_within_the_grace_period_keeps_the_call_and_the_old_grace_timer_is_stale()
    {
        var s = InCall();
        var dropped = s.Do(new DeviceDisconnected(AlicePhone));
        var staleToken = Assert.Single(dropped.Timers).Token;
        s.Advance(TimeSpan.FromSeconds(12));

        var resumed = s.Do(new ResumeCall(AliceLaptop));
        Assert.Empty(resumed.Timers);
        Assert.Equal("alice-laptop", s.Call.Caller.DeviceId);
        Assert.True(s.Call.Caller.Connected);
        s.AssertState(AliceLaptop, CallState.InCall);

        s.Advance(TimeSpan.FromSeconds(18));
        s.Unchanged(new TimerElapsed(CallTimerKind.ReconnectGrace, staleToken));
        s.AssertState(AliceLaptop, CallState.InCall);
        s.AssertState(BobPhone, CallState.InCall);

        // Events now go to the new connection.
        var relayed = s.Unchanged(new SendIceCandidate(BobPhone, Candidate()));
        AssertNotified(relayed, "IceCandidate->alice-laptop");
        s.Refuse(Hold(AlicePhone), ErrorCode.InvalidState);
        s.Do(Hold(AliceLaptop, "op-1"));
        var answered = s.AnswerPending(BobPhone);
        Assert.Contains("CallOperationCompleted->alice-laptop", answered.Notifications.Select(Describe));

        // A second drop gets a fresh token: the first one stays stale.
        var droppedAgain = s.Do(new DeviceDisconnected(AliceLaptop));
        var freshToken = Assert.Single(droppedAgain.Timers).Token;
        Assert.NotEqual(staleToken, freshToken);
        s.Unchanged(new TimerElapsed(CallTimerKind.ReconnectGrace, staleToken));
        s.Do(new TimerElapsed(CallTimerKind.ReconnectGrace, freshToken));
        s.AssertState(BobPhone, CallState.Ended, EndReason.ConnectionLost, 9906);
    }

    [Fact]
    public void The_callee_resuming_on_a_new_connection_moves_the_call_there()
    {
        var s = InCall();
        s.Do(new DeviceDisconnected(BobPhone));
        var resumed = s.Do(new ResumeCall(BobTablet));

        AssertNotified(resumed, "CallStatusChanged->bob-phone");
        Assert.Equal("bob-tablet", s.Call.Callee.DeviceId);
        s.AssertState(BobTablet, CallState.InCall);
        s.AssertState(BobPhone, CallState.Ended, EndReason.AnsweredElsewhere, 9904);
        s.AssertState(AlicePhone, CallState.InCall);
        Assert.Equal(1, s.Call.Devices.Count(d => d.DeviceId == "bob-tablet"));

        s.Do(new EndCall(AlicePhone));
        s.AssertState(BobTablet, CallState.Ended, EndReason.EndedRemotely, 9905);
    }

    [Fact]
    public void The_callee_resuming_on_the_device_that_lost_the_race_takes_the_call_over()
    {
        var s = InCall();
        s.Do(new ResumeCall(BobLaptop));
        Assert.Equal("bob-laptop", s.Call.Callee.DeviceId);
        s.AssertState(BobLaptop, CallState.InCall);
        s.AssertState(BobPhone, CallState.Ended, EndReason.AnsweredElsewhere, 9904);
        Assert.Single(s.Call.Devices, d => d.DeviceId == "bob-laptop");
    }

    [Fact]
    public void Resuming_on_the_bound_device_only_marks_it_connected()
    {
        var s = InCall();
        s.Do(new DeviceDisconnected(BobPhone));
        var resumed = s.Do(new ResumeCall(BobPhone));
        Assert.Empty(resumed.Notifications);
        Assert.True(s.Call.Callee.Connected);
        s.AssertState(BobPhone, CallState.InCall);
    }

    [Fact]
    public void Both_parties_may_be_lost_at_once_each_with_its_own_grace_timer()
    {
        var s = InCall();
        var callerToken = Assert.Single(s.Do(new DeviceDisconnected(AlicePhone)).Timers).Token;
        var calleeToken = Assert.Single(s.Do(new DeviceDisconnected(BobPhone)).Timers).Token;
        Assert.NotEqual(callerToken, calleeToken);

        s.Do(new ResumeCall(AliceLaptop));
        s.Unchanged(new TimerElapsed(CallTimerKind.ReconnectGrace, callerToken));
        s.Do(new TimerElapsed(CallTimerKind.ReconnectGrace, calleeToken));
        s.AssertState(AliceLaptop, CallState.Ended, EndReason.ConnectionLost, 9906);
    }

    [Fact]
    public void A_repeated_disconnect_of_the_same_connection_changes_nothing()
    {
        var s = InCall();
        s.Do(new DeviceDisconnected(AlicePhone));
        s.Unchanged(new DeviceDisconnected(AlicePhone));
        s.Unchanged(new DeviceDisconnected(EvePhone));
        s.Unchanged(new DeviceDisconnected(new Requester(Alice, null)));
    }

    [Theory]
    [InlineData("Caller:0")]
    [InlineData("Caller:2")]
    [InlineData("Callee:1")]
    [InlineData("1")]
    [InlineData("")]
    public void A_grace_timer_with_a_token_that_is_not_current_does_nothing(string token)
    {
        var s = InCall();
        var dropped = s.Do(new DeviceDisconnected(AlicePhone));
        Assert.Equal("Caller:1", Assert.Single(dropped.Timers).Token);
        s.Unchanged(new TimerElapsed(CallTimerKind.ReconnectGrace, token));
        s.AssertState(AlicePhone, CallState.InCall);
    }

    [Fact]
    public void A_grace_timer_for_a_connected_party_does_nothing()
    {
        var s = InCall();
        s.Unchanged(new TimerElapsed(CallTimerKind.ReconnectGrace, "Caller:0"));
        s.Unchanged(new TimerElapsed(CallTimerKind.ReconnectGrace, "Callee:0"));
    }

    public static TheoryData<string> ResumeRefusals => new(ResumeCases.Keys);

    private static CallScenario Forwarded() => Ringing().Then(ForwardTo(BobPhone, Carol, CarolPhone));

    private static CallScenario Ended() => InCall().Then(new EndCall(AlicePhone));

    private static readonly Dictionary<string, (Func<CallScenario> Setup, CallCommand Command, ErrorCode Code)> ResumeCases = new()
    {
        ["by a stranger"] = (() => InCall(), new ResumeCall(EvePhone), ErrorCode.CallNotFound),
        ["after the call ended"] = (Ended, new ResumeCall(AliceLaptop), ErrorCode.InvalidState),
        ["from a rest request"] = (() => InCall(), new ResumeCall(new Requester(Alice, null)), ErrorCode.InvalidArgument),
        ["by a user the call was forwarded away from"] = (Forwarded, new ResumeCall(BobTablet), ErrorCode.InvalidState),
        ["by the callee before establish"] = (() => Created(), new ResumeCall(BobPhone), ErrorCode.CallNotFound), // before the offer the callee is no party yet
    };

    [Theory]
    [MemberData(nameof(ResumeRefusals))]
    public void Resume_refusals_change_nothing(string name)
    {
        var (setup, command, code) = ResumeCases[name];
        setup().Refuse(command, code);
    }

    [Fact]
    public void Commands_from_the_old_connection_after_a_resume_are_refused()
    {
        var s = InCall();
        s.Do(new ResumeCall(AliceLaptop));
        s.Refuse(new SetMuted(AlicePhone, true), ErrorCode.InvalidState);
        s.Refuse(new SendIceCandidate(AlicePhone, Candidate()), ErrorCode.InvalidState);
        s.Do(new SetMuted(AliceLaptop, true));
        Assert.True(s.View(BobPhone).Media.RemoteMuted);
    }

    [Fact]
    public void A_call_the_store_lost_ends_for_every_party_with_an_error_and_an_ended_one_stays_as_it_is()
    {
        var s = InCall();
        var lost = CallDecider.Decide(s.Call, new CallLost(), Settings, s.Now);

        Assert.False(lost.IsRefused);
        Assert.Equal(CallPhase.Ended, lost.Call!.Phase);
        Assert.Equal(new CallEnd(EndReason.Failed, CallStatusCodes.EndedByError), lost.Call.Caller.End);
        Assert.Equal(new CallEnd(EndReason.Failed, CallStatusCodes.EndedByError), lost.Call.Callee.End);
        Assert.Contains(lost.Notifications, n => n is CallStatusChangedNotification { To.DeviceId: "alice-phone" });
        Assert.Contains(lost.Notifications, n => n is CallStatusChangedNotification { To.DeviceId: "bob-phone" });

        var ended = s.Then(new EndCall(AlicePhone)).Call;
        Assert.True(CallDecider.Decide(ended, new CallLost(), Settings, s.Now).IsRefused);
    }
}
