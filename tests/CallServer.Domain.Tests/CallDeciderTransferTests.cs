using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Records;
using CallServer.Domain.Views;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>
/// Transfers (rule 21): <c>TransferCall</c> (blind) and <c>ConsultativeTransfer</c>. The old call carries the
/// transfer, held by the transferor; the transferee's new call is created with the rules of a call it dials;
/// the new call's progress ends the old one <see cref="EndReason.Transferred"/> or leaves it held as it was.
/// Each race has one outcome.
/// </summary>
public sealed class CallDeciderTransferTests
{
    private const string NewCallId = "call-2";

    private static TransferCall TransferTo(Requester by, Domain.Addresses.Address? target, string newCallId = NewCallId) => new(by, newCallId, target);

    private static TransferProgressed Progress(TransferProgress progress, EndReason? reason = null, string newCallId = NewCallId) => new(newCallId, progress, reason);

    /// <summary>alice (caller, alice-phone) and bob (bob-phone) in call; bob transfers alice to carol.</summary>
    private static CallScenario Transferring()
    {
        var s = InCall();
        s.Do(TransferTo(BobPhone, Carol));
        return s;
    }

    /// <summary>The call alice places for the transfer (as created by the shell from alice's profile).</summary>
    private static CallScenario NewCall(CallerProfile? profile = null, Domain.Addresses.Address? target = null, TransferOrigin? origin = null)
    {
        var command = new CreateCall(NewCallId, AlicePhone, profile ?? RegisteredCaller, target ?? Carol, new CalleeLookup(target ?? Carol, []));
        var decision = CallDecider.CreateTransferred(command, origin ?? new TransferOrigin(CallId, Bob), Settings, T0);
        Assert.Null(decision.Error);
        return Of(decision.Call!);
    }

    [Fact]
    public void Bob_transfers_alice_blind_the_call_is_held_alice_is_asked_to_place_the_new_call_and_bob_hears_Trying()
    {
        var s = InCall();
        var started = s.Do(TransferTo(BobPhone, Carol));

        AssertNotified(started, "TransferRequested->alice-phone", "TransferProgress->bob-phone", "CallStatusChanged->alice-phone", "CallStatusChanged->bob-phone");
        var requested = Single<TransferRequestedNotification>(started);
        Assert.Equal((NewCallId, Carol.Value, Bob.Value), (requested.NewCallId, requested.Target, requested.TransferredBy));
        Assert.Equal(TransferProgress.Trying, Single<TransferProgressNotification>(started).State);
        Assert.Equal(new TimerRequest(CallTimerKind.Transfer, NewCallId, s.Now + Settings.RingTimeout + Settings.OperationTimeout), Assert.Single(started.Timers));
        s.AssertState(BobPhone, CallState.OnHold);
        s.AssertState(AlicePhone, CallState.RemotelyHeld);
        Assert.Equal(new CallTransfer(NewCallId, TransferKind.Blind, TransferRole.Transferee, CallSide.Callee, Carol, TransferStage.Trying, null), s.Call.Transfer);
    }

    [Fact]
    public void A_call_already_held_by_the_transferor_is_not_held_again()
    {
        var s = InCall();
        s.Do(Hold(BobPhone));
        s.AnswerPending(AlicePhone);
        var started = s.Do(TransferTo(BobPhone, Carol));
        AssertNotified(started, "TransferRequested->alice-phone", "TransferProgress->bob-phone");
    }

    [Fact]
    public void The_caller_may_transfer_too_and_a_call_held_by_the_other_party_can_be_transferred()
    {
        var s = InCall();
        s.Do(Hold(BobPhone));
        s.AnswerPending(AlicePhone);
        var started = s.Do(TransferTo(AlicePhone, Carol));
        AssertNotified(started, "TransferRequested->bob-phone", "TransferProgress->alice-phone", "CallStatusChanged->alice-phone", "CallStatusChanged->bob-phone");
        s.AssertState(AlicePhone, CallState.OnDoubleHold);
    }

    [Fact]
    public void The_target_rings_then_answers_the_old_call_ends_Transferred_for_both_and_bob_hears_Succeeded()
    {
        var s = Transferring();
        var ringing = s.Do(Progress(TransferProgress.Ringing));
        AssertNotified(ringing, "TransferProgress->bob-phone");
        Assert.Equal(TransferProgress.Ringing, Single<TransferProgressNotification>(ringing).State);
        s.Unchanged(Progress(TransferProgress.Ringing)); // again: nothing more

        s.Advance(TimeSpan.FromSeconds(3));
        var before = s.Call;
        var succeeded = s.Do(Progress(TransferProgress.Succeeded));

        AssertNotified(succeeded, "TransferProgress->bob-phone", "CallStatusChanged->alice-phone", "CallStatusChanged->bob-phone");
        Assert.Equal(TransferProgress.Succeeded, Single<TransferProgressNotification>(succeeded).State);
        s.AssertState(AlicePhone, CallState.Ended, EndReason.Transferred, CallStatusCodes.SessionCompleted);
        s.AssertState(BobPhone, CallState.Ended, EndReason.Transferred, CallStatusCodes.SessionCompleted);
        Assert.Equal([CallEventTypes.Transferred, CallEventTypes.Ended], CallLifecycle.Between(before, s.Call, s.Now).Select(e => e.Type));
        var record = CallRecord.Of(s.Call);
        Assert.Equal(new CallRecordTransfer(NewCallId, Bob, Carol), record.TransferredTo);
        Assert.Null(record.TransferredFrom);
        s.Unchanged(Progress(TransferProgress.Succeeded)); // delivered twice
    }

    [Fact]
    public void An_answer_applied_before_the_ringing_tells_bob_Ringing_then_Succeeded_once_and_the_late_ringing_changes_nothing()
    {
        var s = Transferring();
        var succeeded = s.Do(Progress(TransferProgress.Succeeded));
        Assert.Equal(
            [TransferProgress.Ringing, TransferProgress.Succeeded],
            succeeded.Notifications.OfType<TransferProgressNotification>().Select(n => n.State));
        s.Unchanged(Progress(TransferProgress.Ringing));
    }

    [Theory]
    [InlineData(EndReason.Rejected, "Rejected")]
    [InlineData(EndReason.NoAnswer, "NoAnswer")]
    [InlineData(EndReason.Unavailable, "Unavailable")]
    [InlineData(EndReason.Canceled, "Canceled")]
    [InlineData(null, "Failed")]
    public void A_new_call_that_ends_unanswered_fails_the_transfer_and_leaves_the_call_held_for_bob_to_unhold(EndReason? reason, string expected)
    {
        var s = Transferring();
        s.Do(Progress(TransferProgress.Ringing));
        var failed = s.Do(Progress(TransferProgress.Failed, reason));

        AssertNotified(failed, "TransferProgress->bob-phone");
        var progress = Single<TransferProgressNotification>(failed);
        Assert.Equal((TransferProgress.Failed, expected), (progress.State, progress.Reason));
        Assert.Null(s.Call.Transfer);
        s.AssertState(BobPhone, CallState.OnHold);
        s.AssertState(AlicePhone, CallState.RemotelyHeld);

        s.Do(Unhold(BobPhone));
        s.AnswerPending(AlicePhone);
        s.AssertState(BobPhone, CallState.InCall);
        s.Do(TransferTo(BobPhone, Carol, "call-3")); // and may transfer again
    }

    [Fact]
    public void A_transfer_whose_new_call_never_rings_times_out_one_that_rings_is_left_to_its_ring_timer()
    {
        var s = Transferring();
        var timer = Assert.Single(s.History[^1].Timers);
        s.Unchanged(new TimerElapsed(CallTimerKind.Transfer, "call-9")); // another transfer's timer
        var timedOut = s.Do(new TimerElapsed(CallTimerKind.Transfer, timer.Token));
        Assert.Equal((TransferProgress.Failed, "Timeout"), (Single<TransferProgressNotification>(timedOut).State, Single<TransferProgressNotification>(timedOut).Reason));
        Assert.Null(s.Call.Transfer);

        var ringingOne = Transferring();
        ringingOne.Do(Progress(TransferProgress.Ringing));
        ringingOne.Unchanged(new TimerElapsed(CallTimerKind.Transfer, NewCallId));
    }

    public static TheoryData<string, ErrorCode> Refusals => new()
    {
        { "the call is ringing", ErrorCode.InvalidState },
        { "a stranger", ErrorCode.CallNotFound },
        { "bob's other device", ErrorCode.InvalidState },
        { "no target", ErrorCode.InvalidAddress },
        { "to the transferee itself", ErrorCode.InvalidArgument },
        { "to the transferor itself", ErrorCode.InvalidArgument },
        { "a hold is pending", ErrorCode.OperationInProgress },
        { "a transfer is pending", ErrorCode.OperationInProgress },
        { "a pull is pending", ErrorCode.OperationInProgress },
        { "the transferee's connection is lost", ErrorCode.InvalidState },
        { "the call has ended", ErrorCode.InvalidState },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_transfer_that_may_not_happen_is_refused_and_changes_nothing(string situation, ErrorCode code)
    {
        var s = situation == "the call is ringing" ? Ringing() : InCall();
        var command = TransferTo(BobPhone, Carol, "call-3");
        switch (situation)
        {
            case "a stranger":
                command = TransferTo(EvePhone, Carol, "call-3");
                break;
            case "bob's other device":
                command = TransferTo(BobLaptop, Carol, "call-3");
                break;
            case "no target":
                command = TransferTo(BobPhone, null, "call-3");
                break;
            case "to the transferee itself":
                command = TransferTo(BobPhone, Alice, "call-3");
                break;
            case "to the transferor itself":
                command = TransferTo(BobPhone, Bob, "call-3");
                break;
            case "a hold is pending":
                s.Do(Hold(AlicePhone));
                break;
            case "a transfer is pending":
                s.Do(TransferTo(BobPhone, Dave));
                break;
            case "a pull is pending":
                s.Do(new PullCall(AliceLaptop, "op-pull", TestSdp.AudioOffer));
                break;
            case "the transferee's connection is lost":
                s.Do(new DeviceDisconnected(AlicePhone));
                break;
            case "the call has ended":
                s.Do(new EndCall(AlicePhone));
                break;
        }

        s.Refuse(command, code);
    }

    [Fact]
    public void An_anonymous_caller_cannot_transfer()
    {
        var anonymous = new CallerProfile(IsAnonymous: true, HasTelephoneNumber: false, AllowedCallees: null, DisplayName: "Visitor");
        var s = Created(Bob, BobsDevices(), anonymous, AnonymousBrowser);
        s.Do(new EstablishCall(AnonymousBrowser, TestSdp.AudioOffer, BobsDevices()));
        s.Do(new AcceptCall(BobPhone, TestSdp.Answer()));
        s.Refuse(TransferTo(AnonymousBrowser, Carol), ErrorCode.Forbidden);
        s.Do(TransferTo(BobPhone, Carol)); // bob may transfer the visitor
    }

    [Fact]
    public void While_a_transfer_is_pending_no_hold_video_or_pull_starts_but_mute_and_ice_go_on()
    {
        var s = Transferring();
        s.Refuse(Unhold(BobPhone), ErrorCode.OperationInProgress);
        s.Refuse(Hold(AlicePhone), ErrorCode.OperationInProgress);
        s.Refuse(VideoStart(AlicePhone), ErrorCode.OperationInProgress);
        s.Refuse(new PullCall(AliceLaptop, "op-pull", TestSdp.HoldOffer), ErrorCode.OperationInProgress);
        s.Refuse(new PullCall(BobLaptop, "op-pull", TestSdp.HoldOffer), ErrorCode.OperationInProgress);
        s.Do(new SetMuted(AlicePhone, true));
        AssertNotified(s.Do(new SendIceCandidate(AlicePhone, Candidate())), "IceCandidate->bob-phone");
    }

    [Fact]
    public void Bob_hangs_up_while_carol_answers_whichever_comes_first_the_call_ends_once_and_alice_goes_on_with_carol()
    {
        // Bob's hang-up first: the call ends as any call does; the late success changes nothing.
        var hangUpFirst = Transferring();
        hangUpFirst.Do(new EndCall(BobPhone));
        hangUpFirst.Unchanged(Progress(TransferProgress.Succeeded));
        hangUpFirst.AssertState(AlicePhone, CallState.Ended, EndReason.EndedRemotely, CallStatusCodes.SessionCompleted);
        Assert.Null(CallRecord.Of(hangUpFirst.Call).TransferredTo);

        // Carol's answer first: the call ended Transferred; bob's hang-up is refused.
        var answerFirst = Transferring();
        answerFirst.Do(Progress(TransferProgress.Succeeded));
        answerFirst.Refuse(new EndCall(BobPhone), ErrorCode.InvalidState);
        answerFirst.AssertState(AlicePhone, CallState.Ended, EndReason.Transferred, CallStatusCodes.SessionCompleted);
    }

    [Fact]
    public void Progress_of_another_calls_transfer_or_a_stale_one_changes_nothing()
    {
        var s = InCall();
        s.Unchanged(Progress(TransferProgress.Succeeded));
        s.Do(TransferTo(BobPhone, Carol));
        s.Unchanged(Progress(TransferProgress.Succeeded, newCallId: "call-9"));
        s.Unchanged(Progress(TransferProgress.Trying));
    }

    [Fact]
    public void The_new_call_is_created_with_every_rule_of_a_call_the_transferee_dials()
    {
        var origin = new TransferOrigin(CallId, Bob);
        Decision Create(CallerProfile profile, Domain.Addresses.Address? target, CalleeLookup lookup, int callsInProgress = 0) =>
            CallDecider.CreateTransferred(new CreateCall(NewCallId, AnonymousBrowser, profile with { CallsInProgress = callsInProgress }, target, lookup), origin, Settings, T0);

        var visitor = new CallerProfile(IsAnonymous: true, HasTelephoneNumber: false, AllowedCallees: new HashSet<Domain.Addresses.Address> { Bob }, DisplayName: "Visitor");
        Assert.Equal(ErrorCode.Forbidden, Create(visitor, Carol, new CalleeLookup(Carol, [])).Error!.Code); // its token allows bob only
        Assert.Equal(ErrorCode.Forbidden, Create(visitor with { AllowedCallees = null }, Phone, new CalleeLookup(Gateway, [])).Error!.Code); // no PSTN for anonymous
        Assert.Equal(ErrorCode.Forbidden, Create(visitor with { AllowedCallees = null }, Addr("nobody"), CalleeLookup.NotFound).Error!.Code);
        Assert.Equal(ErrorCode.RateLimited, Create(visitor with { AllowedCallees = null }, Carol, new CalleeLookup(Carol, []), Settings.MaxCallsPerCaller).Error!.Code);

        var created = Create(visitor with { AllowedCallees = new HashSet<Domain.Addresses.Address> { Bob, Carol } }, Carol, new CalleeLookup(Carol, []));
        Assert.Equal(origin, created.Call!.TransferredFrom);
        Assert.Equal([Bob, Carol], created.Call.CallerAllowedCallees); // kept, for a transfer of this call in turn
    }

    [Fact]
    public void The_new_call_shows_who_transferred_and_which_call_it_replaces_and_its_record_says_where_it_came_from()
    {
        var n = NewCall();
        n.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, Devices(Carol, CarolPhone)));
        var alice = n.View(AlicePhone);
        Assert.Equal((Bob.Value, CallId), (alice.TransferredBy, alice.ReplacesCallId));
        var carol = n.View(CarolPhone);
        Assert.Equal((Bob.Value, (string?)null), (carol.TransferredBy, carol.ReplacesCallId));
        n.Do(new AcceptCall(CarolPhone, TestSdp.Answer()));
        n.Do(new EndCall(CarolPhone));
        Assert.Equal(new CallRecordTransfer(CallId, Bob), CallRecord.Of(n.Call).TransferredFrom);
    }

    [Fact]
    public void Consultative_both_calls_must_be_held_by_the_transferor_and_each_is_marked_with_its_role()
    {
        // call-1: alice ↔ bob (the transferee's call); call-c: bob → carol (the consultation call).
        var transferee = InCall();
        var consultation = Consultation();
        var command = new ConsultativeTransfer(BobPhone, NewCallId, CallId, "call-c", Carol);

        transferee.Refuse(command, ErrorCode.NotOnHold);
        transferee.Do(Hold(BobPhone));
        transferee.AnswerPending(AlicePhone);
        transferee.Refuse(command with { TargetCallId = CallId }, ErrorCode.InvalidArgument);
        transferee.Refuse(command with { TransfereeCallId = "call-x", TargetCallId = "call-y" }, ErrorCode.InvalidArgument);
        transferee.Refuse(command with { Requester = BobLaptop }, ErrorCode.InvalidState);

        var started = transferee.Do(command);
        AssertNotified(started, "TransferRequested->alice-phone", "TransferProgress->bob-phone");
        Assert.Equal((TransferKind.Consultative, TransferRole.Transferee, "call-c"), (transferee.Call.Transfer!.Kind, transferee.Call.Transfer.Role, transferee.Call.Transfer.OtherCallId));

        var joined = consultation.Do(command);
        AssertNotified(joined, "TransferConnected->carol-phone");
        var connected = Single<TransferConnectedNotification>(joined);
        Assert.Equal((NewCallId, Bob.Value), (connected.NewCallId, connected.TransferredBy));
        Assert.Equal(TransferRole.Target, consultation.Call.Transfer!.Role);

        // The new call answered: both old calls end Transferred; only the transferee's call tells bob.
        transferee.Do(Progress(TransferProgress.Ringing));
        AssertNotified(transferee.Do(Progress(TransferProgress.Succeeded)), "TransferProgress->bob-phone", "CallStatusChanged->alice-phone", "CallStatusChanged->bob-phone");
        AssertNotified(consultation.Do(Progress(TransferProgress.Succeeded)), "CallStatusChanged->bob-phone", "CallStatusChanged->carol-phone");
        consultation.AssertState(CarolPhone, CallState.Ended, EndReason.Transferred, CallStatusCodes.SessionCompleted);
    }

    [Fact]
    public void Consultative_a_failed_new_call_leaves_both_calls_held_as_they_were()
    {
        var transferee = InCall();
        transferee.Do(Hold(BobPhone));
        transferee.AnswerPending(AlicePhone);
        var consultation = Consultation();
        var command = new ConsultativeTransfer(BobPhone, NewCallId, CallId, "call-c", Carol);
        transferee.Do(command);
        consultation.Do(command);

        AssertNotified(transferee.Do(Progress(TransferProgress.Failed, EndReason.NoAnswer)), "TransferProgress->bob-phone");
        AssertNotified(consultation.Do(Progress(TransferProgress.Failed, EndReason.NoAnswer)));
        Assert.Null(transferee.Call.Transfer);
        Assert.Null(consultation.Call.Transfer);
        transferee.AssertState(BobPhone, CallState.OnHold);
        Assert.Equal(CallState.OnHold, CallProjection.View(consultation.Call, CallViewer.CallerOf(consultation.Call)).State);
    }

    [Fact]
    public void Consultative_the_new_call_is_offered_to_the_targets_device_of_the_consultation_only_never_rung_elsewhere_or_woken()
    {
        var n = NewCall(origin: new TransferOrigin(CallId, Bob, "call-c", CarolPhone.DeviceId));
        var established = n.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, Devices(Carol, CarolPhone, CarolLaptop) with { Wakeable = true }));
        Assert.Contains("IncomingCall->carol-phone", established.Notifications.Select(Describe));
        Assert.DoesNotContain("IncomingCall->carol-laptop", established.Notifications.Select(Describe));
        Assert.Empty(established.Wakes);
        Assert.Equal("call-c", n.View(CarolPhone).ReplacesCallId);

        // The consultation device is gone: the new call is unavailable (the transfer fails).
        var gone = NewCall(origin: new TransferOrigin(CallId, Bob, "call-c", CarolPhone.DeviceId));
        gone.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, Devices(Carol, CarolLaptop) with { Wakeable = true }));
        gone.AssertState(AlicePhone, CallState.Ended, EndReason.Unavailable, CallStatusCodes.Unavailable);
    }

    /// <summary>bob (bob-phone) called carol (carol-phone), in call and held by bob: the consultation call "call-c".</summary>
    private static CallScenario Consultation()
    {
        var created = CallDecider.Create(new CreateCall("call-c", BobPhone, RegisteredCaller, Carol, new CalleeLookup(Carol, [])), T0);
        var s = Of(created.Call!);
        s.Do(new EstablishCall(BobPhone, TestSdp.AudioOffer, Devices(Carol, CarolPhone)));
        s.Do(new AcceptCall(CarolPhone, TestSdp.Answer()));
        s.Do(Hold(BobPhone));
        s.AnswerPending(CarolPhone);
        return s;
    }
}
