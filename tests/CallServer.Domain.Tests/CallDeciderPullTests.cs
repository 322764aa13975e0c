using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>
/// <c>PullCall</c> (rule 20): another device of a party's account takes a live call over. Its offer goes to
/// the other party as a renegotiation; only the answer moves the call; the old device sees it ended
/// <see cref="EndReason.MovedToAnotherDevice"/>; the other party's call never ends.
/// </summary>
public sealed class CallDeciderPullTests
{
    private static PullCall Pull(Requester by, string operationId = "op-pull", string? sdp = null) => new(by, operationId, sdp ?? TestSdp.AudioOffer);

    private static CallSnapshot ViewOf(CallScenario s, CallSide side, Requester device) => CallProjection.View(s.Call, new CallViewer(side, device.DeviceId));

    [Fact]
    public void The_callers_laptop_pulls_the_call_only_bob_answers_it_moves_and_the_phone_sees_it_end_MovedToAnotherDevice()
    {
        var s = InCall();
        var started = s.Do(Pull(AliceLaptop));

        AssertNotified(started, "RenegotiationRequested->bob-phone");
        var request = Single<RenegotiationRequestedNotification>(started);
        Assert.Equal(("op-pull", MediaOperation.PullCall, TestSdp.AudioOffer), (request.OperationId, request.Operation, request.SdpOffer));
        Assert.Equal(new TimerRequest(CallTimerKind.Operation, "op-pull", s.Now + Settings.OperationTimeout), Assert.Single(started.Timers));
        Assert.Equal(AlicePhone.DeviceId, s.Call.Caller.DeviceId); // nothing moved yet

        s.Advance(TimeSpan.FromSeconds(1));
        var answered = s.Do(new AnswerRenegotiation(BobPhone, "op-pull", TestSdp.Answer()));

        AssertNotified(answered, "CallOperationCompleted->alice-laptop", "CallStatusChanged->alice-laptop", "CallStatusChanged->alice-phone");
        var completed = Single<CallOperationCompletedNotification>(answered);
        Assert.True(completed.Succeeded);
        Assert.Equal(TestSdp.Answer(), completed.SdpAnswer);
        Assert.Equal(AliceLaptop.DeviceId, s.Call.Caller.DeviceId);
        Assert.Equal(CallState.InCall, ViewOf(s, CallSide.Caller, AliceLaptop).State);
        var phone = ViewOf(s, CallSide.Caller, AlicePhone);
        Assert.Equal((CallState.Ended, EndReason.MovedToAnotherDevice), (phone.State, phone.EndReason));
        Assert.Equal(s.Now, phone.EndedAt);
        s.AssertState(BobPhone, CallState.InCall);
        Assert.Null(s.Call.PendingOperation);

        // The call goes on from the laptop, and not from the phone.
        s.Do(Hold(AliceLaptop));
        s.Refuse(new EndCall(AlicePhone), ErrorCode.InvalidState);
    }

    [Fact]
    public void Hold_and_mute_carry_over_and_a_held_call_is_pulled_with_a_hold_offer()
    {
        var s = InCall();
        s.Do(Hold(AlicePhone));
        s.AnswerPending(BobPhone);
        s.Do(new SetMuted(AlicePhone, true));

        s.Refuse(Pull(AliceLaptop), ErrorCode.InvalidSdp); // a sendrecv offer would unhold behind the rules' back
        s.Do(Pull(AliceLaptop, sdp: TestSdp.HoldOffer));
        s.Do(new AnswerRenegotiation(BobPhone, "op-pull", TestSdp.Answer(audio: "recvonly")));

        var laptop = ViewOf(s, CallSide.Caller, AliceLaptop);
        Assert.Equal(CallState.OnHold, laptop.State);
        Assert.True(laptop.Media.LocalMuted);
        s.AssertState(BobPhone, CallState.RemotelyHeld);
    }

    [Fact]
    public void The_callees_tablet_pulls_the_call_from_the_phone()
    {
        var s = InCall();
        s.Do(Pull(BobTablet));
        var answered = s.Do(new AnswerRenegotiation(AlicePhone, "op-pull", TestSdp.Answer()));

        AssertNotified(answered, "CallOperationCompleted->bob-tablet", "CallStatusChanged->bob-tablet", "CallStatusChanged->bob-phone");
        Assert.Equal(BobTablet.DeviceId, s.Call.Callee.DeviceId);
        s.AssertState(BobTablet, CallState.InCall);
        s.AssertState(BobPhone, CallState.Ended, EndReason.MovedToAnotherDevice, CallStatusCodes.RespondedFromAnotherDevice);
        s.AssertState(AlicePhone, CallState.InCall);
    }

    [Fact]
    public void A_device_that_had_the_call_before_pulls_it_back()
    {
        var s = InCall();
        s.Do(Pull(BobLaptop));
        s.Do(new AnswerRenegotiation(AlicePhone, "op-pull", TestSdp.Answer()));
        s.Do(Pull(BobPhone, "op-back"));
        s.Do(new AnswerRenegotiation(AlicePhone, "op-back", TestSdp.Answer()));

        s.AssertState(BobPhone, CallState.InCall);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.MovedToAnotherDevice, CallStatusCodes.RespondedFromAnotherDevice);
    }

    public static TheoryData<string, ErrorCode> Refusals => new()
    {
        { "a stranger", ErrorCode.CallNotFound },
        { "the device that holds the call", ErrorCode.InvalidState },
        { "an anonymous caller's other device", ErrorCode.Forbidden },
        { "a call still ringing", ErrorCode.InvalidState },
        { "an operation pending", ErrorCode.OperationInProgress },
        { "a malformed offer", ErrorCode.InvalidSdp },
        { "no operation id", ErrorCode.InvalidArgument },
        { "an ended call", ErrorCode.InvalidState },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_pull_that_cannot_be_is_refused_and_changes_nothing(string when, ErrorCode code)
    {
        var s = when switch
        {
            "an anonymous caller's other device" => AnonymousInCall(),
            "a call still ringing" => Ringing(),
            _ => InCall(),
        };
        if (when == "an operation pending")
        {
            s.Do(Hold(AlicePhone));
        }

        if (when == "an ended call")
        {
            s.Do(new EndCall(BobPhone));
        }

        var command = when switch
        {
            "a stranger" => Pull(CarolPhone),
            "the device that holds the call" => Pull(AlicePhone),
            "an anonymous caller's other device" => Pull(new Requester(Anonymous, "anon-other-tab")),
            "a call still ringing" => Pull(AliceLaptop),
            "a malformed offer" => Pull(AliceLaptop, sdp: "v=0"),
            "no operation id" => Pull(AliceLaptop, operationId: " "),
            _ => Pull(AliceLaptop),
        };
        s.Refuse(command, code);
    }

    [Fact]
    public void A_rejected_or_unanswered_pull_leaves_the_call_where_it_was_and_tells_the_pulling_device()
    {
        var s = InCall();
        s.Do(Pull(AliceLaptop));
        var rejected = s.Do(new RejectRenegotiation(BobPhone, "op-pull", "not now"));
        AssertNotified(rejected, "CallOperationCompleted->alice-laptop");
        Assert.False(Single<CallOperationCompletedNotification>(rejected).Succeeded);

        s.Do(Pull(AliceLaptop, "op-pull-2"));
        s.Advance(Settings.OperationTimeout);
        var timedOut = s.Do(new TimerElapsed(CallTimerKind.Operation, "op-pull-2"));
        AssertNotified(timedOut, "CallOperationCompleted->alice-laptop");
        Assert.StartsWith("Timeout", Single<CallOperationCompletedNotification>(timedOut).Error, StringComparison.Ordinal);

        Assert.Equal(AlicePhone.DeviceId, s.Call.Caller.DeviceId);
        Assert.Empty(s.Call.MovedFrom);
        s.AssertState(AlicePhone, CallState.InCall);
    }

    [Fact]
    public void While_a_pull_waits_the_new_connection_trickles_between_the_pulling_device_and_the_other_party()
    {
        var s = InCall();
        s.Do(Pull(AliceLaptop));

        AssertNotified(s.Unchanged(new SendIceCandidate(AliceLaptop, Candidate(1))), "IceCandidate->bob-phone");
        AssertNotified(s.Unchanged(new SendIceCandidate(BobPhone, Candidate(2))), "IceCandidate->alice-laptop");
        s.Refuse(new SendIceCandidate(new Requester(Alice, "alice-tablet"), Candidate(3)), ErrorCode.InvalidState);

        s.Do(new AnswerRenegotiation(BobPhone, "op-pull", TestSdp.Answer()));
        AssertNotified(s.Unchanged(new SendIceCandidate(BobPhone, Candidate(4))), "IceCandidate->alice-laptop");
        s.Refuse(new SendIceCandidate(AlicePhone, Candidate(5)), ErrorCode.InvalidState);
    }

    [Fact]
    public void A_pulling_device_that_goes_away_ends_its_pull_and_the_call_stays()
    {
        var s = InCall();
        s.Do(Pull(AliceLaptop));
        s.Do(new DeviceDisconnected(AliceLaptop));

        Assert.Null(s.Call.PendingOperation);
        s.Unchanged(new TimerElapsed(CallTimerKind.Operation, "op-pull"));
        s.Refuse(new AnswerRenegotiation(BobPhone, "op-pull", TestSdp.Answer()), ErrorCode.InvalidState);
        s.AssertState(AlicePhone, CallState.InCall);
    }

    [Fact]
    public void Races_have_one_outcome_a_second_pull_or_a_hold_waits_and_an_end_fails_the_pull()
    {
        var s = InCall();
        s.Do(Pull(AliceLaptop));
        s.Refuse(Pull(new Requester(Alice, "alice-tablet"), "op-other"), ErrorCode.OperationInProgress);
        s.Refuse(Hold(BobPhone), ErrorCode.OperationInProgress);
        s.Refuse(Hold(AlicePhone), ErrorCode.OperationInProgress);

        var ended = s.Do(new EndCall(BobPhone));
        Assert.Contains("CallOperationCompleted->alice-laptop", ended.Notifications.Select(Describe));
        s.AssertState(AlicePhone, CallState.Ended, EndReason.EndedRemotely, CallStatusCodes.SessionCompleted);
    }

    [Fact]
    public void A_device_the_call_moved_away_from_cannot_take_it_back_by_resuming()
    {
        var s = InCall();
        s.Do(Pull(AliceLaptop));
        s.Do(new AnswerRenegotiation(BobPhone, "op-pull", TestSdp.Answer()));

        s.Refuse(new ResumeCall(AlicePhone), ErrorCode.InvalidState);
        s.Do(new ResumeCall(AliceLaptop)); // the device that has it may resume, as after a reconnect
    }

    [Fact]
    public void A_pull_finishes_the_grace_of_a_party_whose_old_device_dropped()
    {
        var s = InCall();
        s.Do(new DeviceDisconnected(AlicePhone));
        var grace = s.Call.Caller.GraceGeneration;
        s.Do(Pull(AliceLaptop));
        s.Do(new AnswerRenegotiation(BobPhone, "op-pull", TestSdp.Answer()));

        Assert.True(s.Call.Caller.Connected);
        s.Unchanged(new TimerElapsed(CallTimerKind.ReconnectGrace, $"Caller:{grace}"));
        s.AssertState(BobPhone, CallState.InCall);
    }

    [Fact]
    public void A_completed_pull_is_a_call_moved_lifecycle_event_and_is_in_the_record_a_refused_one_is_neither()
    {
        var s = InCall();
        var before = s.Call;
        s.Do(Pull(AliceLaptop));
        Assert.Empty(CallServer.Domain.Records.CallLifecycle.Between(before, s.Call, s.Now));

        s.Advance(TimeSpan.FromSeconds(2));
        var pending = s.Call;
        s.Do(new AnswerRenegotiation(BobPhone, "op-pull", TestSdp.Answer()));
        var moved = Assert.Single(CallServer.Domain.Records.CallLifecycle.Between(pending, s.Call, s.Now));
        Assert.Equal((CallServer.Domain.Records.CallEventTypes.Moved, s.Now), (moved.Type, moved.At));

        s.Do(new EndCall(AliceLaptop));
        var record = CallServer.Domain.Records.CallRecord.Of(s.Call);
        Assert.Equal([new CallServer.Domain.Records.CallRecordMove(CallSide.Caller, T0.AddSeconds(2))], record.PulledFrom);
        Assert.Equal(EndReason.EndedLocally, record.CallerEnd.Reason);
    }

    private static CallScenario AnonymousInCall()
    {
        var anonymous = new CallerProfile(IsAnonymous: true, HasTelephoneNumber: false, AllowedCallees: null, DisplayName: "Visitor");
        var s = Created(Bob, BobsDevices(), anonymous, AnonymousBrowser);
        s.Do(new EstablishCall(AnonymousBrowser, TestSdp.AudioOffer, BobsDevices()));
        s.Do(new AcceptCall(BobPhone, TestSdp.Answer()));
        return s;
    }
}
