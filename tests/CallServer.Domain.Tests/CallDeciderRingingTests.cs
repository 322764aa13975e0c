using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>Accept, reject, ignore, cancel and the ring timeout (rules 1 to 4, 7, 14).</summary>
public sealed class CallDeciderRingingTests
{
    [Fact]
    public void The_first_accept_wins_and_the_other_devices_end_AnsweredElsewhere()
    {
        var s = Ringing();
        s.Advance(TimeSpan.FromSeconds(5));
        var accepted = s.Do(new AcceptCall(BobPhone, TestSdp.Answer()), followUps: false);

        // Answering: the caller keeps seeing Ringing until the answer went out.
        s.AssertState(AlicePhone, CallState.Ringing);
        s.AssertState(BobPhone, CallState.Answering);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.AnsweredElsewhere, CallStatusCodes.RespondedFromAnotherDevice);
        Assert.Equal("bob-phone", s.Call.Callee.DeviceId);
        Assert.Equal(T0.AddSeconds(5), s.CallerView.AnsweredAt);
        AssertNotified(
            accepted,
            "CallStatusChanged->bob-phone",
            "CallStatusChanged->bob-laptop",
            "RemoteDescription->alice-phone");
        var description = Single<RemoteDescriptionNotification>(accepted);
        Assert.Equal("answer", description.Type);
        Assert.Equal(TestSdp.Answer(), description.Sdp);
        var backstop = Assert.Single(accepted.Timers);
        Assert.Equal(CallTimerKind.AnswerCompletion, backstop.Kind);
        Assert.Equal(s.Now + Settings.OperationTimeout, backstop.DueAt);
        Assert.IsType<CompleteAnswer>(Assert.Single(accepted.FollowUps));

        // The answer was delivered: both are in the call.
        var completed = s.Do(accepted.FollowUps[0]);
        s.AssertState(AlicePhone, CallState.InCall);
        s.AssertState(BobPhone, CallState.InCall);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.AnsweredElsewhere, 9904);
        AssertNotified(completed, "CallStatusChanged->alice-phone", "CallStatusChanged->bob-phone");

        // The backstop timer then finds nothing to do.
        s.Unchanged(new TimerElapsed(CallTimerKind.AnswerCompletion, backstop.Token));
    }

    [Fact]
    public void The_answer_completion_timer_moves_an_answered_call_on_when_the_follow_up_was_lost()
    {
        var s = Ringing();
        var accepted = s.Do(new AcceptCall(BobPhone, TestSdp.Answer()), followUps: false);
        var timer = Assert.Single(accepted.Timers);
        var fired = s.Do(new TimerElapsed(timer.Kind, timer.Token));
        Assert.True(fired.Changed);
        s.AssertState(AlicePhone, CallState.InCall);
        s.AssertState(BobPhone, CallState.InCall);
        s.Unchanged(new CompleteAnswer());
    }

    [Fact]
    public void A_video_answer_shows_video_on_both_sides()
    {
        var s = InCall(TestSdp.VideoOffer, TestSdp.Answer(video: "sendrecv"));
        Assert.Equal(new(true, true, true, true, false, false), s.CallerView.Media);
        Assert.Equal(new(true, true, true, true, false, false), s.View(BobPhone).Media);
    }

    [Fact]
    public void An_audio_answer_to_a_video_offer_shows_only_the_callers_video()
    {
        var s = InCall(TestSdp.VideoOffer, TestSdp.Answer(video: "recvonly"));
        Assert.True(s.CallerView.Media.LocalVideo);
        Assert.False(s.CallerView.Media.RemoteVideo);
        Assert.False(s.View(BobPhone).Media.LocalVideo);
        Assert.True(s.View(BobPhone).Media.RemoteVideo);
    }

    [Fact]
    public void Accepting_while_still_dialing_is_allowed_and_the_late_MarkAlerted_does_nothing()
    {
        var s = Created();
        var established = s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, BobsDevices()), followUps: false);
        s.Do(new AcceptCall(BobLaptop, TestSdp.Answer()));
        s.AssertState(AlicePhone, CallState.InCall);
        s.AssertState(BobLaptop, CallState.InCall);
        s.AssertState(BobPhone, CallState.Ended, EndReason.AnsweredElsewhere, 9904);
        s.Unchanged(established.FollowUps[0]);
    }

    [Fact]
    public void Reject_ends_the_call_for_the_caller_and_every_device()
    {
        var s = Ringing(null, BobPhone, BobLaptop, BobTablet);
        s.Do(new IgnoreCall(BobTablet));
        var rejected = s.Do(new RejectCall(BobPhone));

        s.AssertState(AlicePhone, CallState.Ended, EndReason.Rejected, CallStatusCodes.Rejected);
        s.AssertState(BobPhone, CallState.Ended, EndReason.Rejected, CallStatusCodes.RejectedByLocalUser);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.Rejected, CallStatusCodes.RespondedFromAnotherDevice);
        s.AssertState(BobTablet, CallState.Ended, EndReason.Ignored, CallStatusCodes.IgnoredByLocalUser);
        AssertNotified(
            rejected,
            "CallStatusChanged->alice-phone",
            "CallStatusChanged->bob-phone",
            "CallStatusChanged->bob-laptop");
        Assert.Empty(rejected.Timers);
    }

    [Fact]
    public void A_ringing_device_that_ends_the_call_rejects_it()
    {
        var s = Ringing();
        s.Do(new EndCall(BobLaptop));
        s.AssertState(AlicePhone, CallState.Ended, EndReason.Rejected, 603);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.Rejected, 9902);
        s.AssertState(BobPhone, CallState.Ended, EndReason.Rejected, CallStatusCodes.RespondedFromAnotherDevice);
    }

    [Fact]
    public void Ignore_stops_only_that_device_and_the_caller_is_not_told()
    {
        var s = Ringing();
        var callerBefore = s.CallerView;
        var ignored = s.Do(new IgnoreCall(BobPhone));

        s.AssertState(BobPhone, CallState.Ended, EndReason.Ignored, CallStatusCodes.IgnoredByLocalUser);
        s.AssertState(BobLaptop, CallState.Ringing);
        s.AssertState(AlicePhone, CallState.Ringing);
        Assert.Equal(callerBefore with { Sequence = s.Call.Version }, s.CallerView);
        AssertNotified(ignored, "CallStatusChanged->bob-phone");
        Assert.Empty(ignored.Timers);

        // The other device can still answer.
        s.Do(new AcceptCall(BobLaptop, TestSdp.Answer()));
        s.AssertState(AlicePhone, CallState.InCall);
        s.AssertState(BobPhone, CallState.Ended, EndReason.Ignored, 9903);
    }

    [Fact]
    public void When_every_device_ignored_the_caller_keeps_ringing_until_the_ring_timeout()
    {
        var s = Ringing();
        s.Do(new IgnoreCall(BobPhone));
        s.Do(new IgnoreCall(BobLaptop));
        s.AssertState(AlicePhone, CallState.Ringing);

        s.Advance(Settings.RingTimeout);
        var timedOut = s.Do(new TimerElapsed(CallTimerKind.Ring, s.Call.RingGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        s.AssertState(AlicePhone, CallState.Ended, EndReason.NoAnswer, CallStatusCodes.CanceledOrNotAnswered);
        s.AssertState(BobPhone, CallState.Ended, EndReason.Ignored, 9903);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.Ignored, 9903);
        AssertNotified(timedOut, "CallStatusChanged->alice-phone");
    }

    [Fact]
    public void The_caller_canceling_a_ringing_call_cancels_it_on_every_device()
    {
        var s = Ringing();
        var canceled = s.Do(new EndCall(AlicePhone));

        s.AssertState(AlicePhone, CallState.Ended, EndReason.EndedLocally, CallStatusCodes.EndedByLocalUser);
        s.AssertState(BobPhone, CallState.Ended, EndReason.Canceled, CallStatusCodes.CanceledOrNotAnswered);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.Canceled, 487);
        AssertNotified(
            canceled,
            "CallStatusChanged->alice-phone",
            "CallStatusChanged->bob-phone",
            "CallStatusChanged->bob-laptop");
    }

    [Fact]
    public void Canceling_while_the_answer_is_on_its_way_ends_the_answered_call_remotely()
    {
        var s = Ringing();
        s.Do(new AcceptCall(BobPhone, TestSdp.Answer()), followUps: false);
        var ended = s.Do(new EndCall(AlicePhone));

        s.AssertState(AlicePhone, CallState.Ended, EndReason.EndedLocally, 9901);
        s.AssertState(BobPhone, CallState.Ended, EndReason.EndedRemotely, CallStatusCodes.SessionCompleted);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.AnsweredElsewhere, 9904);
        AssertNotified(ended, "CallStatusChanged->alice-phone", "CallStatusChanged->bob-phone");

        // Accept and cancel raced: the late CompleteAnswer does nothing (rule 14).
        s.Unchanged(new CompleteAnswer());
        s.AssertState(AlicePhone, CallState.Ended, EndReason.EndedLocally, 9901);
    }

    [Fact]
    public void Cancel_then_accept_the_accept_loses()
    {
        var s = Ringing();
        s.Do(new EndCall(AlicePhone));
        s.Refuse(new AcceptCall(BobPhone, TestSdp.Answer()), ErrorCode.InvalidState);
    }

    [Fact]
    public void The_ring_timeout_ends_a_call_nobody_answered()
    {
        var s = Ringing();
        var token = s.Call.RingGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture);
        s.Advance(Settings.RingTimeout);
        var timedOut = s.Do(new TimerElapsed(CallTimerKind.Ring, token));

        s.AssertState(AlicePhone, CallState.Ended, EndReason.NoAnswer, CallStatusCodes.CanceledOrNotAnswered);
        s.AssertState(BobPhone, CallState.Ended, EndReason.NoAnswer, 487);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.NoAnswer, 487);
        Assert.Equal(s.Now, s.CallerView.EndedAt);
        AssertNotified(
            timedOut,
            "CallStatusChanged->alice-phone",
            "CallStatusChanged->bob-phone",
            "CallStatusChanged->bob-laptop");

        // The same timer delivered twice does nothing.
        s.Unchanged(new TimerElapsed(CallTimerKind.Ring, token));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("")]
    [InlineData("garbage")]
    public void A_ring_timer_with_a_stale_or_unknown_token_does_nothing(string token)
    {
        var s = Ringing();
        Assert.Equal(1, s.Call.RingGeneration);
        var decision = s.Unchanged(new TimerElapsed(CallTimerKind.Ring, token));
        Assert.Empty(decision.Notifications);
        s.AssertState(AlicePhone, CallState.Ringing);
        s.AssertState(BobPhone, CallState.Ringing);
    }

    [Fact]
    public void The_ring_timer_of_an_answered_call_does_nothing()
    {
        var s = InCall();
        s.Unchanged(new TimerElapsed(CallTimerKind.Ring, "1"));
        s.AssertState(AlicePhone, CallState.InCall);
    }

    [Fact]
    public void A_ringing_device_that_disconnects_stops_ringing_silently_and_the_others_go_on()
    {
        var s = Ringing();
        var decision = s.Do(new DeviceDisconnected(BobLaptop));
        Assert.Empty(decision.Notifications);
        Assert.Empty(decision.Timers);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.ConnectionLost, CallStatusCodes.EndedByError);
        s.AssertState(BobPhone, CallState.Ringing);
        s.AssertState(AlicePhone, CallState.Ringing);
        s.Refuse(new AcceptCall(BobLaptop, TestSdp.Answer()), ErrorCode.InvalidState);
    }

    [Fact]
    public void A_new_connection_of_the_callee_rings_too_when_it_resumes_a_ringing_call()
    {
        var s = Ringing();
        var resumed = s.Do(new ResumeCall(BobTablet));
        AssertNotified(resumed, "IncomingCall->bob-tablet");
        Assert.Equal(TestSdp.AudioOffer, Single<IncomingCallNotification>(resumed).SdpOffer);
        s.AssertState(BobTablet, CallState.Ringing);

        // Resuming again from a device that already rings changes nothing.
        s.Unchanged(new ResumeCall(BobTablet));

        s.Do(new AcceptCall(BobTablet, TestSdp.Answer()));
        s.AssertState(BobTablet, CallState.InCall);
        s.AssertState(BobPhone, CallState.Ended, EndReason.AnsweredElsewhere, 9904);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.AnsweredElsewhere, 9904);
    }

    public static TheoryData<string> RingingRefusals => new(RingingCases.Keys);

    private static CallScenario Ignored() => Ringing().Then(new IgnoreCall(BobPhone));

    private static CallScenario Answering() => Ringing().Then(new AcceptCall(BobPhone, TestSdp.Answer()), followUps: false);

    private static CallScenario Rejected() => Ringing().Then(new RejectCall(BobPhone));

    private static readonly Dictionary<string, (Func<CallScenario> Setup, CallCommand Command, ErrorCode Code)> RingingCases = new()
    {
        ["accept by the caller"] = (() => Ringing(), new AcceptCall(AlicePhone, TestSdp.Answer()), ErrorCode.Forbidden),
        ["accept by the caller's other device"] = (() => Ringing(), new AcceptCall(AliceLaptop, TestSdp.Answer()), ErrorCode.Forbidden),
        ["accept by a stranger"] = (() => Ringing(), new AcceptCall(EvePhone, TestSdp.Answer()), ErrorCode.CallNotFound),
        ["accept by a user the call was not offered to yet"] = (() => Ringing(), new AcceptCall(CarolPhone, TestSdp.Answer()), ErrorCode.CallNotFound),
        ["accept before establish"] = (() => Created(), new AcceptCall(BobPhone, TestSdp.Answer()), ErrorCode.CallNotFound),
        ["accept from a device that is not ringing"] = (() => Ringing(), new AcceptCall(BobTablet, TestSdp.Answer()), ErrorCode.InvalidState),
        ["accept from a rest request"] = (() => Ringing(), new AcceptCall(new Requester(Bob, null), TestSdp.Answer()), ErrorCode.InvalidState),
        ["second accept while answering"] = (Answering, new AcceptCall(BobLaptop, TestSdp.Answer()), ErrorCode.InvalidState),
        ["second accept in call"] = (() => InCall(), new AcceptCall(BobLaptop, TestSdp.Answer()), ErrorCode.InvalidState),
        ["same device accepts twice"] = (() => InCall(), new AcceptCall(BobPhone, TestSdp.Answer()), ErrorCode.InvalidState),
        ["accept after ignore on that device"] = (Ignored, new AcceptCall(BobPhone, TestSdp.Answer()), ErrorCode.InvalidState),
        ["accept after reject"] = (Rejected, new AcceptCall(BobLaptop, TestSdp.Answer()), ErrorCode.InvalidState),
        ["accept with garbage answer"] = (() => Ringing(), new AcceptCall(BobPhone, "v=0\r\nthis is not sdp"), ErrorCode.InvalidSdp),
        ["accept with oversized answer"] = (() => Ringing(), new AcceptCall(BobPhone, TestSdp.OfferOfLength(SdpParser64K + 1)), ErrorCode.PayloadTooLarge),
        ["reject by the caller"] = (() => Ringing(), new RejectCall(AlicePhone), ErrorCode.Forbidden),
        ["reject by a stranger"] = (() => Ringing(), new RejectCall(EvePhone), ErrorCode.CallNotFound),
        ["reject in call"] = (() => InCall(), new RejectCall(BobPhone), ErrorCode.InvalidState),
        ["reject by the device that lost the race"] = (() => InCall(), new RejectCall(BobLaptop), ErrorCode.InvalidState),
        ["reject after ignore"] = (Ignored, new RejectCall(BobPhone), ErrorCode.InvalidState),
        ["reject twice"] = (Rejected, new RejectCall(BobPhone), ErrorCode.InvalidState),
        ["ignore by the caller"] = (() => Ringing(), new IgnoreCall(AlicePhone), ErrorCode.Forbidden),
        ["ignore by a stranger"] = (() => Ringing(), new IgnoreCall(EvePhone), ErrorCode.CallNotFound),
        ["ignore twice"] = (Ignored, new IgnoreCall(BobPhone), ErrorCode.InvalidState),
        ["ignore in call"] = (() => InCall(), new IgnoreCall(BobPhone), ErrorCode.InvalidState),
        ["ignore before establish"] = (() => Created(), new IgnoreCall(BobPhone), ErrorCode.CallNotFound),
        ["end from an ignoring device"] = (Ignored, new EndCall(BobPhone), ErrorCode.InvalidState),
        ["end from the device that lost the race"] = (() => InCall(), new EndCall(BobLaptop), ErrorCode.InvalidState),
        ["end by a stranger"] = (() => Ringing(), new EndCall(EvePhone), ErrorCode.CallNotFound),
        ["end after reject"] = (Rejected, new EndCall(AlicePhone), ErrorCode.InvalidState),
        ["callee end after reject"] = (Rejected, new EndCall(BobLaptop), ErrorCode.InvalidState),
        ["resume on an ignoring device"] = (Ignored, new ResumeCall(BobPhone), ErrorCode.InvalidState),
        ["resume by a stranger"] = (() => Ringing(), new ResumeCall(EvePhone), ErrorCode.CallNotFound),
        ["resume after the call ended"] = (Rejected, new ResumeCall(BobTablet), ErrorCode.InvalidState),
        ["mute while ringing"] = (() => Ringing(), new SetMuted(AlicePhone, true), ErrorCode.InvalidState),
        ["hold while ringing"] = (() => Ringing(), Hold(AlicePhone), ErrorCode.InvalidState),
        ["hold while answering"] = (Answering, Hold(AlicePhone), ErrorCode.InvalidState),
        ["callee hold while answering"] = (Answering, Hold(BobPhone), ErrorCode.InvalidState),
        ["unknown command"] = (() => Ringing(), new UnknownCommand(), ErrorCode.InvalidArgument),
    };

    private const int SdpParser64K = 64 * 1024;

    private sealed record UnknownCommand : CallCommand;

    [Theory]
    [MemberData(nameof(RingingRefusals))]
    public void Ringing_refusals_change_nothing(string name)
    {
        var (setup, command, code) = RingingCases[name];
        setup().Refuse(command, code);
    }
}
